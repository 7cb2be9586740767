// 先涨价后补贴: shops that raise prices when the campaign starts, so the subsidy pays the rise.
// Blatant: every ordinary SKU up 25-40% on the published menu and at the till.
// Subtle: a third to a half of the SKUs up 10-16% at the till only, while the published menu keeps
//   the old prices. An honest shop's occasional seasonal rise on one item (8-15%) looks alike; the
//   breadth of the rise and the menu/till gap do not.
import type { Variant } from '../labels.ts';
import type { Merchant, World } from '../world.ts';
import { variantOf } from './variant.ts';

/** Applied before honest customers shop, so their baskets pay the raised prices. */
export function injectGouging(w: World, shops: Merchant[], count: number, subtleShare: number): Merchant[] {
  const rng = w.rng;
  const chosen = rng.shuffle(shops.filter((m) => m.skus.some((s) => !s.resellable))).slice(0, count);
  chosen.forEach((m, i) => {
    const variant: Variant = variantOf(i, chosen.length, subtleShare);
    w.labels.merchant(m.merchantId, 'price_gouging', variant);
    const ordinary = m.skus.filter((s) => !s.resellable);
    for (const s of ordinary) s.chargedFen = s.menuFen = s.baseFen;
    const raised = variant === 'blatant' ? ordinary : rng.shuffle([...ordinary]).slice(0, Math.max(2, Math.round(ordinary.length * (0.33 + rng.next() * 0.17))));
    for (const s of raised) {
      const factor = variant === 'blatant' ? 1.25 + rng.next() * 0.15 : 1.1 + rng.next() * 0.06;
      s.chargedFen = Math.round((s.baseFen * factor) / 10) * 10;
      if (variant === 'blatant') s.menuFen = s.chargedFen;
    }
  });
  return chosen;
}
