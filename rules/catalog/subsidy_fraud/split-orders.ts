// One purchase split into several coupon orders at the same till within minutes, each just over
// the threshold, to stack coupons the rules allow once per order. Observed: the pair's
// redemptions in the short window (counted only when this order hugs the threshold).
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';
import { featureName } from '../common.ts';

export default defineRule({
  id: 'subsidy.split_orders',
  version: 1,
  fraudType: 'subsidy_fraud',
  reason: 'SUBSIDY.SPLIT_ORDER',
  appliesTo: ['redemption'],
  subject: 'user',
  configSchema: z.object({ pairRedemptions: featureName, atLeast: z.number().int().min(2), maxOverThresholdPct: z.number().min(0) }),
  features: (c) => [c.pairRedemptions],
  evaluate(e, f, c, ctx) {
    const th = ctx.facts.thresholdFen;
    if (th === null || th === 0) return noHit(null);
    const over = (e as Redemption).orderFen - th;
    if (over < 0 || over > (th * c.maxOverThresholdPct) / 100) return noHit(null);
    const n = f[c.pairRedemptions] ?? 0;
    return n >= c.atLeast ? hit('SUBSIDY.SPLIT_ORDER', n) : noHit(n);
  },
});
