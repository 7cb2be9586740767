// Buy with a coupon, then refund the order: the subsidy stays with whoever kept the difference.
// Evaluated on the refund. Observed: hours between the coupon redemption and the refund.
import { z } from 'zod';
import type { Refund } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

export default defineRule({
  id: 'cash_out.refund_after_redemption',
  version: 1,
  fraudType: 'cash_out',
  reason: 'CASH_OUT.REFUND_AFTER_REDEMPTION',
  appliesTo: ['refund'],
  subject: 'merchant',
  configSchema: z.object({ withinHours: z.number().positive(), countReturnedCoupons: z.boolean() }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const ev = e as Refund;
    const redeemed = ctx.reference.orderRedemption(ev.orderId);
    if (!redeemed) return noHit(null);
    if (ev.couponReturned && !c.countReturnedCoupons) return noHit(null);
    const hours = Math.round(((ctx.facts.t - redeemed.t) / 3_600_000) * 10) / 10;
    return hours <= c.withinHours ? hit('CASH_OUT.REFUND_AFTER_REDEMPTION', hours) : noHit(hours);
  },
});
