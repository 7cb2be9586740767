// The same SKU priced well above what other shops ask for it: catches a markup that a merchant
// without price history (or with an inflated one) would slip past the baseline rule.
// Observed: the highest price/peer-median ratio shown.
import { z } from 'zod';
import { defineRule, hit, noHit } from '../../types.ts';
import { shownCount, shownPriceFen, shownSku } from './prices.ts';

export default defineRule({
  id: 'price.above_peers',
  version: 1,
  fraudType: 'price_gouging',
  reason: 'PRICE.ABOVE_PEERS',
  appliesTo: ['redemption', 'price.observed'],
  subject: 'merchant',
  configSchema: z.object({ minRatio: z.number().gt(1), minPeers: z.number().int().min(2) }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const campaign = ctx.reference.campaignAt(ctx.facts.t);
    if (!campaign || ctx.facts.t < campaign.startsAt) return noHit(null);
    let worst: number | null = null;
    for (let i = 0, n = shownCount(e); i < n; i++) {
      const { median, peers } = ctx.reference.peerPrice(shownSku(e, i));
      if (median === null || median <= 0 || peers < c.minPeers) continue;
      const r = shownPriceFen(e, i) / median;
      if (worst === null || r > worst) worst = r;
    }
    if (worst === null) return noHit(null);
    worst = Math.round(worst * 1000) / 1000;
    return worst >= c.minRatio ? hit('PRICE.ABOVE_PEERS', worst) : noHit(worst);
  },
});
