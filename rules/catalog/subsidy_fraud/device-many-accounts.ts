// A family phone may carry two accounts; a handful over weeks means one person running several.
// Observed: distinct accounts on the device over the (long) window.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'subsidy.device_many_accounts', version: 1, fraudType: 'subsidy_fraud', reason: 'SUBSIDY.DEVICE_SHARED', appliesTo: ['claim', 'redemption'], subject: 'user' });
