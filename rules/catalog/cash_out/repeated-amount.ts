// The same order amount rung up again and again at one merchant: a script or a till replaying one
// fake order. Observed: redemptions at this merchant with exactly this amount in the window.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'cash_out.repeated_amount', version: 1, fraudType: 'cash_out', reason: 'CASH_OUT.REPEATED_AMOUNT', appliesTo: ['redemption'], subject: 'merchant' });
