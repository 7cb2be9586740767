// Coupon orders carrying many units of goods that resell at face value (liquor, gold, prepaid
// cards): the subsidy buys stock. Which SKUs resell is data (codes or name keywords).
// Observed: resellable units in the order.
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit, type RuleDefinition } from '../../types.ts';

const lowered = new WeakMap<string[], string[]>();
const config = z.object({ skuKeywords: z.array(z.string().min(1)).min(1), minUnits: z.number().int().min(1) });
type Config = z.infer<typeof config>;

/** The same count under another id and reason (hoarding/resellable-some.ts: the smaller orders). */
export function resellableUnitsRule(meta: Pick<RuleDefinition<Config>, 'id' | 'version' | 'reason'>): RuleDefinition<Config> {
  return defineRule({
    ...meta,
    fraudType: 'hoarding',
    appliesTo: ['redemption'],
    subject: 'user',
    configSchema: config,
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
      return units >= c.minUnits ? hit(meta.reason, units) : noHit(units);
    },
  });
}

export default resellableUnitsRule({ id: 'hoarding.resellable_quantity', version: 1, reason: 'HOARDING.RESELLABLE_QTY' });
