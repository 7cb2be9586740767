// The same account redeeming at the same merchant again and again: a colluding account lent to
// the shop. Observed: redemptions of the pair in the window.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'cash_out.same_pair_repeat', version: 1, fraudType: 'cash_out', reason: 'CASH_OUT.PAIR_REPEAT', appliesTo: ['redemption'], subject: 'merchant' });
