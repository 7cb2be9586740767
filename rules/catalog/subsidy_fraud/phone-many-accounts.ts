// One phone number (hashed) behind several accounts. Observed: distinct accounts per phone hash.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'subsidy.phone_many_accounts', version: 1, fraudType: 'subsidy_fraud', reason: 'SUBSIDY.PHONE_SHARED', appliesTo: ['claim'], subject: 'user' });
