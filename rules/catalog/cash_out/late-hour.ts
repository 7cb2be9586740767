// Coupon orders rung up in the small hours, when the shop's category is closed, are batch jobs.
// Hours are China Standard Time; lodging is exempt by config. Observed: the CST hour.
import { z } from 'zod';
import { cstHour } from '../../../core/clock.ts';
import { category } from '../../../core/events.ts';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

export default defineRule({
  id: 'cash_out.late_hour',
  version: 1,
  fraudType: 'cash_out',
  reason: 'CASH_OUT.LATE_HOUR',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({ fromHour: z.number().int().min(0).max(23), toHour: z.number().int().min(0).max(24), exemptCategories: z.array(category) }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const m = ctx.reference.merchants.get((e as Redemption).merchantId);
    if (m && c.exemptCategories.includes(m.category)) return noHit(null);
    const h = cstHour(ctx.facts.t);
    return h >= c.fromHour && h < c.toHour ? hit('CASH_OUT.LATE_HOUR', h) : noHit(h);
  },
});
