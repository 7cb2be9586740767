// Coupon orders carrying many units of goods that resell at face value (liquor, gold, prepaid
// cards): the subsidy buys stock. Which SKUs resell is data (codes or name keywords).
// Observed: resellable units in the order.
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

const lowered = new WeakMap<string[], string[]>();

export default defineRule({
  id: 'hoarding.resellable_quantity',
  version: 1,
  fraudType: 'hoarding',
  reason: 'HOARDING.RESELLABLE_QTY',
  appliesTo: ['redemption'],
  subject: 'user',
  configSchema: z.object({ skuKeywords: z.array(z.string().min(1)).min(1), minUnits: z.number().int().min(1) }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const items = (e as Redemption).items;
    if (!items || items.length === 0) return noHit(null);
    let kw = lowered.get(c.skuKeywords);
    if (!kw) lowered.set(c.skuKeywords, (kw = c.skuKeywords.map((k) => k.toLowerCase())));
    let units = 0;
    for (const it of items) {
      const sku = it.sku.toLowerCase();
      const name = ctx.reference.skuName(it.sku)?.toLowerCase();
      for (const k of kw) {
        if (sku.includes(k) || (name !== undefined && name.includes(k))) {
          units += it.qty;
          break;
        }
      }
    }
    return units >= c.minUnits ? hit('HOARDING.RESELLABLE_QTY', units) : noHit(units);
  },
});
