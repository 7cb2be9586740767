// One card paying the coupons of several accounts of one household-sized ring. Observed: distinct
// accounts on the card in the window.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'subsidy.card_many_accounts', version: 1, fraudType: 'subsidy_fraud', reason: 'SUBSIDY.CARD_SHARED', appliesTo: ['redemption'], subject: 'user' });
