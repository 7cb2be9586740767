// 先涨价后补贴: raise prices when the coupons arrive, so the subsidy pays the markup. China's 2020
// promotion rules measure a discount against the lowest price of the 7 days before; this compares
// campaign prices with that baseline. One item up in season happens in honest shops; a rise
// across several SKUs does not, so the rule hits when this event shows a raised price and the
// merchant has raised at least `minSkus` SKUs. Observed: how many SKUs it has raised.
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
  configSchema: z.object({ minRatio: z.number().gt(1), minSkus: z.number().int().min(1) }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const campaign = ctx.reference.campaignAt(ctx.facts.t);
    if (!campaign || ctx.facts.t < campaign.startsAt) return noHit(null);
    const prices = shownPrices(e);
    if (prices.length === 0) return noHit(null);
    const merchantId = prices[0]!.merchantId;
    const raisedHere = new Set<string>();
    for (const p of prices) {
      const base = ctx.reference.baselinePrice(p.merchantId, p.sku, campaign.startsAt);
      if (base !== null && base > 0 && p.priceFen / base >= c.minRatio) raisedHere.add(p.sku);
    }
    if (raisedHere.size === 0) return noHit(0);
    // The reference has not folded this event in yet: count its raised SKUs with the earlier ones.
    let breadth = ctx.reference.raisedSkuCount(merchantId, c.minRatio);
    for (const sku of raisedHere) if (!ctx.reference.hasRaised(merchantId, sku, c.minRatio)) breadth++;
    return breadth >= c.minSkus ? hit('PRICE.ABOVE_BASELINE', breadth) : noHit(breadth);
  },
});
