// 先涨价后补贴: raise prices when the coupons arrive, so the subsidy pays the markup. China's 2020
// promotion rules measure a discount against the lowest price of the 7 days before; this compares
// campaign prices with that baseline. One item up in season happens in honest shops; a rise
// across several SKUs does not, so the rule hits when this event shows a raised price and the
// merchant has raised at least `minSkus` SKUs. Observed: how many SKUs it has raised.
import { z } from 'zod';
import type { QuanguardEvent } from '../../../core/events.ts';
import type { Reference } from '../../reference/state.ts';
import { defineRule, hit, noHit } from '../../types.ts';
import { shownCount, shownMerchant, shownPriceFen, shownSku } from './prices.ts';

function raised(ref: Reference, e: QuanguardEvent, i: number, merchantId: string, startsAt: number, minRatio: number): boolean {
  const base = ref.baselinePrice(merchantId, shownSku(e, i), startsAt);
  return base !== null && base > 0 && shownPriceFen(e, i) / base >= minRatio;
}

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
    const n = shownCount(e);
    if (n === 0) return noHit(null);
    const merchantId = shownMerchant(e);
    const ref = ctx.reference, startsAt = campaign.startsAt;
    // The distinct SKUs this event shows raised; those the reference has not seen raised yet (it
    // has not folded this event in) add to the merchant's earlier ones.
    let raisedHere = 0, newlyRaised = 0;
    for (let i = 0; i < n; i++) {
      if (!raised(ref, e, i, merchantId, startsAt, c.minRatio)) continue;
      const sku = shownSku(e, i);
      let counted = false;
      for (let j = 0; j < i && !counted; j++) counted = shownSku(e, j) === sku && raised(ref, e, j, merchantId, startsAt, c.minRatio);
      if (counted) continue;
      raisedHere++;
      if (!ref.hasRaised(merchantId, sku, c.minRatio)) newlyRaised++;
    }
    if (raisedHere === 0) return noHit(0);
    const breadth = ref.raisedSkuCount(merchantId, c.minRatio) + newlyRaised;
    return breadth >= c.minSkus ? hit('PRICE.ABOVE_BASELINE', breadth) : noHit(breadth);
  },
});
