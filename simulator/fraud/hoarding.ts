// 囤货: coupon orders used to stock up on goods that resell at face value: 飞天茅台, gold bars,
// prepaid shopping cards.
// Blatant: 6-20 units of one top resellable (Moutai, gold, ¥1000 cards) per coupon order, at every
//   batch, across several shops, with nothing else in the basket.
// Subtle: 2-4 units of mid-priced liquor or small prepaid cards tucked into an ordinary basket,
//   on about half of the person's coupon orders; the rest is normal shopping. An honest family
//   buying a bottle or two for a dinner looks similar; repetition across orders and shops does not.
import { DAY_MS, HOUR_MS } from '../campaign.ts';
import { pickDistrict, pointIn } from '../geo.ts';
import { chooseCoupons, honestPurchase, ordinaryAccount } from '../honest.ts';
import type { Variant } from '../labels.ts';
import { hourProfile, humanClaimDelay, useTime, type Merchant, type MerchantSku, type World } from '../world.ts';
import { variantOf } from './variant.ts';

const HOARD_KEYS = ['150-75', 'nt-100', '100-50', 'nt-50'];

export function injectHoarders(w: World, count: number, subtleShare: number): void {
  for (let i = 0; i < count; i++) hoarder(w, variantOf(i, count, subtleShare));
}

function hoarder(w: World, variant: Variant): void {
  const rng = w.rng;
  const blatant = variant === 'blatant';
  const g = pickDistrict(rng);
  const home = pointIn(rng, g);
  const createdMs = w.plan.lotteryMs - rng.int(60, 6 * 365) * DAY_MS - rng.int(0, DAY_MS);
  const a = ordinaryAccount(w, g, home, createdMs, () => [w.identities.card()]);
  w.labels.user(a.userId, 'hoarding', variant);
  w.grant(a, w.plan.lotteryMs + rng.int(0, 2 * HOUR_MS));
  let claimed = 0;
  let hoarded = 0;
  for (const batch of w.plan.batches) {
    const coupons = blatant
      ? HOARD_KEYS.map((k) => batch.coupons.find((c) => c.key === k)!).slice(0, 3)
      : chooseCoupons(w, batch, rng.int(1, 3)).filter((c) => c.kind !== 'lodging');
    // Someone who has not stocked up yet always takes the coupon supermarkets accept.
    if (hoarded === 0 && !coupons.some((c) => c.key === '100-50')) coupons.unshift(batch.coupons.find((c) => c.key === '100-50')!);
    for (const c of coupons.slice(0, Math.min(w.plan.limits.perPersonPerBatch, w.plan.limits.perPerson - claimed))) {
      claimed++;
      const issued = w.claim(a, batch, c, batch.dropMs + Math.floor(humanClaimDelay(rng)));
      const shop = w.nearbyMerchant(a.lat, a.lon, c.categories, (m) => goods(m, blatant).length > 0) ?? w.anyMerchant(c.categories, (m) => goods(m, blatant).length > 0);
      if (!shop) continue;
      if (!blatant && hoarded > 0 && rng.bool(0.5)) {
        honestPurchase(w, a, issued, shop);
        continue;
      }
      hoarded++;
      const s = rng.pick(goods(shop, blatant));
      const qty = blatant ? rng.int(6, 20) : rng.int(2, 4);
      const items = [{ sku: s.sku, qty, unitPriceFen: s.chargedFen }];
      let orderFen = s.chargedFen * qty;
      if (!blatant) {
        const extra = w.basket(shop, Math.round(c.thresholdFen * 0.5) + 2000);
        items.push(...extra.items);
        orderFen += extra.orderFen;
      }
      w.redeem(a, issued, shop, useTime(rng, issued, hourProfile(shop.category), 1), { orderFen, items });
    }
  }
}

function goods(m: Merchant, blatant: boolean): MerchantSku[] {
  return m.skus.filter((s) => s.resellable && (blatant ? s.chargedFen >= 100_000 : s.chargedFen < 100_000));
}
