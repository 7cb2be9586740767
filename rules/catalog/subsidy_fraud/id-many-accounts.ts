// One natural person (one ID hash) behind several accounts collects the per-person limit several
// times. Observed: distinct accounts per ID hash.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'subsidy.id_many_accounts', version: 1, fraudType: 'subsidy_fraud', reason: 'SUBSIDY.ID_SHARED', appliesTo: ['claim'], subject: 'user' });
