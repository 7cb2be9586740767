// One bank card paying for coupons of many accounts: someone collects accounts and pays the fake
// orders from one card. Observed: distinct accounts on the card in the window.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'cash_out.card_many_accounts', version: 1, fraudType: 'cash_out', reason: 'CASH_OUT.CARD_SHARED', appliesTo: ['redemption'], subject: 'merchant' });
