// One person spending many coupons at one shop: stocking up rather than consuming. Observed: the
// account's redemptions at this merchant in the window.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'hoarding.coupons_at_one_merchant', version: 1, fraudType: 'hoarding', reason: 'HOARDING.ONE_MERCHANT', appliesTo: ['redemption'], subject: 'user' });
