// A couple of resellable units in a coupon order: on its own a gift bottle for a family dinner,
// but a hoarder who tucks two to four units into ordinary baskets order after order shows it by
// repetition. Weighed below the strong bar: it only supports a flag that a bigger order started
// (flag policy `supportEventScore`). Observed: resellable units in the order.
import { resellableUnitsRule } from './resellable-quantity.ts';

export default resellableUnitsRule({ id: 'hoarding.resellable_some', version: 1, reason: 'HOARDING.RESELLABLE_SOME' });
