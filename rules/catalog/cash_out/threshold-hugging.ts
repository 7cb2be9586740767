// Fake orders to cash coupons out are rung up at the smallest amount the coupon accepts. Shoppers
// aim for the threshold too (凑单), so an order hits only when it hugs the threshold AND the
// merchant's share of hugging orders over a week is high. Observed: that share (0-1).
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';
import { featureName } from '../common.ts';

export default defineRule({
  id: 'cash_out.threshold_hugging',
  version: 1,
  fraudType: 'cash_out',
  reason: 'CASH_OUT.THRESHOLD_HUGGING',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({
    hugs: featureName,
    redemptions: featureName,
    minRedemptions: z.number().int().min(1),
    minShare: z.number().min(0).max(1),
    /** How far above the threshold this order may be and still hug it, in percent. */
    slackPct: z.number().min(0).max(100),
  }),
  features: (c) => [c.hugs, c.redemptions],
  evaluate(e, f, c, ctx) {
    const th = ctx.facts.thresholdFen;
    if (th === null || th === 0) return noHit(null);
    const n = f[c.redemptions] ?? 0;
    if (n < c.minRedemptions) return noHit(null);
    const share = Math.round(((f[c.hugs] ?? 0) / n) * 1000) / 1000;
    const over = (e as Redemption).orderFen - th;
    const hugs = over >= 0 && over <= (th * c.slackPct) / 100;
    return hugs && share >= c.minShare ? hit('CASH_OUT.THRESHOLD_HUGGING', share) : noHit(share);
  },
});
