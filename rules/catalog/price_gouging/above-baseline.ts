// 先涨价后补贴: raise the price when the coupons arrive, so the subsidy pays the markup. China's
// 2020 promotion rules measure a discount against the lowest price of the 7 days before; this
// compares campaign prices with that baseline. Observed: the highest price/baseline ratio shown.
import { z } from 'zod';
import { defineRule, hit, noHit } from '../../types.ts';
import { shownPrices } from './prices.ts';

export default defineRule({
  id: 'price.above_baseline',
  version: 1,
  fraudType: 'price_gouging',
  reason: 'PRICE.ABOVE_BASELINE',
  appliesTo: ['redemption', 'price.observed'],
  subject: 'merchant',
  configSchema: z.object({ minRatio: z.number().gt(1) }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const campaign = ctx.reference.campaignAt(ctx.facts.t);
    if (!campaign || ctx.facts.t < campaign.startsAt) return noHit(null);
    let worst: number | null = null;
    for (const p of shownPrices(e)) {
      const base = ctx.reference.baselinePrice(p.merchantId, p.sku, campaign.startsAt);
      if (base === null || base <= 0) continue;
      const r = p.priceFen / base;
      if (worst === null || r > worst) worst = r;
    }
    if (worst === null) return noHit(null);
    worst = Math.round(worst * 1000) / 1000;
    return worst >= c.minRatio ? hit('PRICE.ABOVE_BASELINE', worst) : noHit(worst);
  },
});
