// Fake orders to cash coupons out are rung up at the smallest amount the coupon accepts. Shoppers
// aim for the threshold too, so the rule looks at the merchant's share of hugging orders over a
// week, not at one order. Observed: that share (0-1).
import { z } from 'zod';
import { defineRule, hit, noHit } from '../../types.ts';
import { featureName } from '../common.ts';

export default defineRule({
  id: 'cash_out.threshold_hugging',
  version: 1,
  fraudType: 'cash_out',
  reason: 'CASH_OUT.THRESHOLD_HUGGING',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({ hugs: featureName, redemptions: featureName, minRedemptions: z.number().int().min(1), minShare: z.number().min(0).max(1) }),
  features: (c) => [c.hugs, c.redemptions],
  evaluate(_e, f, c, ctx) {
    if (ctx.facts.thresholdFen === null || ctx.facts.thresholdFen === 0) return noHit(null);
    const n = f[c.redemptions] ?? 0;
    if (n < c.minRedemptions) return noHit(null);
    const share = Math.round(((f[c.hugs] ?? 0) / n) * 1000) / 1000;
    return share >= c.minShare ? hit('CASH_OUT.THRESHOLD_HUGGING', share) : noHit(share);
  },
});
