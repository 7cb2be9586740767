// Coupon orders carrying many units of goods that resell at face value (liquor, gold, prepaid
// cards): the subsidy buys stock. Which SKUs resell is data (codes or name keywords).
// Observed: resellable units in the order.
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit, type RuleDefinition } from '../../types.ts';

const lowered = new WeakMap<string[], string[]>();
/**
 * Per keyword list, per SKU: whether the SKU (or the name it had then) names a resellable good.
 * A SKU's name is set once, from undefined to a value, so the entry is checked against the name
 * it was made with. Bounded: cleared past MEMO_MAX SKUs.
 */
const resellableSku = new WeakMap<string[], Map<string, { name: string | undefined; resellable: boolean }>>();
const MEMO_MAX = 100_000;

function names(sku: string, name: string | undefined, kw: readonly string[]): boolean {
  const s = sku.toLowerCase();
  const n = name?.toLowerCase();
  for (const k of kw) if (s.includes(k) || (n !== undefined && n.includes(k))) return true;
  return false;
}
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
      let memo = resellableSku.get(c.skuKeywords);
      if (!memo) resellableSku.set(c.skuKeywords, (memo = new Map()));
      let units = 0;
      for (const it of items) {
        const name = ctx.reference.skuName(it.sku);
        let known = memo.get(it.sku);
        if (known === undefined || known.name !== name) {
          if (memo.size >= MEMO_MAX) memo.clear();
          memo.set(it.sku, (known = { name, resellable: names(it.sku, name, kw) }));
        }
        if (known.resellable) units += it.qty;
      }
      return units >= c.minUnits ? hit(meta.reason, units) : noHit(units);
    },
  });
}

export default resellableUnitsRule({ id: 'hoarding.resellable_quantity', version: 1, reason: 'HOARDING.RESELLABLE_QTY' });
