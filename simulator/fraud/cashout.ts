// 套现: a colluding shop rings up fake coupon orders for recruited accounts and hands back cash.
// Blatant: amounts within ¥3 of the threshold and often the very same amount, late at night,
//   payers far from the shop, no item lines (or one generic line), a partial refund soon after
//   most orders (the cash leg), two or three organiser cards paying for every account.
// Subtle: amounts 1-12% over the threshold rounded to whole yuan (honest 凑单 looks alike), mostly
//   evening hours, recruits who live 2-6 km away, real-looking baskets, cards shared by pairs of
//   accounts, few refunds, and the shop keeps its honest customers. Only the shop's aggregate (share
//   of orders hugging thresholds, repeated amounts) and the card graph give it away.
import { DAY_MS, HOUR_MS } from '../campaign.ts';
import { offsetKm, pickDistrict } from '../geo.ts';
import type { Card } from '../identity.ts';
import { honestPurchase, ordinaryAccount } from '../honest.ts';
import type { Variant } from '../labels.ts';
import { cstMidnight, hourProfile, humanClaimDelay, nearPoint, timeOnDay, useTime, type Merchant, type World } from '../world.ts';
import { variantOf } from './variant.ts';

const LATE = [1.5, 1.2, 0.8, 0.4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.6, 1.5, 2];
const EVENING = [0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.4, 0.5, 0.5, 0.4, 0.4, 0.5, 0.6, 0.8, 1.2, 1.8, 2.2, 2, 1.2, 0.4];
const TARGET_KEYS = ['100-50', '150-75', '30-15'];

/** Marks existing honest shops as colluding before honest customers are simulated. */
export function pickCashOutMerchants(w: World, shops: Merchant[], rings: number): Merchant[] {
  const suitable = shops.filter((m) => ['retail', 'supermarket', 'department_store', 'dining'].includes(m.category));
  return w.rng.shuffle([...suitable]).slice(0, rings);
}

export function injectCashOut(w: World, shops: Merchant[], subtleShare: number): void {
  shops.forEach((m, i) => ring(w, m, variantOf(i, shops.length, subtleShare)));
}

function ring(w: World, m: Merchant, variant: Variant): void {
  const rng = w.rng;
  const blatant = variant === 'blatant';
  w.labels.merchant(m.merchantId, 'cash_out', variant);
  const size = blatant ? rng.int(15, 35) : rng.int(8, 15);
  const organiserCards: Card[] = Array.from({ length: blatant ? rng.int(2, 3) : Math.ceil(size / 2) }, () => w.identities.card());
  const repeated = Array.from({ length: 3 }, () => rng.int(0, 3) * 100 + rng.pick([0, 0, 80, 60]));
  const terminal = rng.pick(m.terminals);
  for (let i = 0; i < size; i++) {
    const g = pickDistrict(rng);
    const home = blatant ? offsetKm(rng, m.lat, m.lon, rng.int(18, 60)) : offsetKm(rng, m.lat, m.lon, 2 + rng.next() * 4);
    const createdMs = w.plan.lotteryMs - rng.int(30, 5 * 365) * DAY_MS - rng.int(0, DAY_MS);
    const a = ordinaryAccount(w, g, home, createdMs, () => [blatant ? rng.pick(organiserCards) : organiserCards[Math.floor(i / 2)]!]);
    w.labels.user(a.userId, 'cash_out', variant);
    w.grant(a, w.plan.lotteryMs + rng.int(0, 2 * HOUR_MS));
    let redeemed = 0;
    let claimed = 0;
    for (const batch of w.plan.batches) {
      // A subtle recruit skips some batches, never the first: everyone recruited acts.
      if (!blatant && batch.index > 0 && !rng.bool(0.75)) continue;
      const types = TARGET_KEYS.map((k) => batch.coupons.find((c) => c.key === k)!).filter((c) => c.categories.includes(m.category));
      for (const c of types.slice(0, Math.min(w.plan.limits.perPersonPerBatch, w.plan.limits.perPerson - claimed))) {
        claimed++;
        const issued = w.claim(a, batch, c, batch.dropMs + Math.floor(humanClaimDelay(rng)));
        // A subtle recruit also shops honestly now and then; the first coupon always goes to the ring.
        if (!blatant && redeemed > 0 && rng.bool(0.3)) {
          const other = w.nearbyMerchant(a.lat, a.lon, c.categories, (x) => x !== m);
          if (other) honestPurchase(w, a, issued, other);
          continue;
        }
        redeemed++;
        const atMs = blatant ? lateTime(w, issued) : useTime(rng, issued, rng.bool(0.7) ? EVENING : hourProfile(m.category), 1.5);
        const orderFen = blatant
          ? rng.bool(0.5)
            ? c.thresholdFen + rng.pick(repeated)
            : c.thresholdFen + rng.int(0, 300)
          : Math.round((c.thresholdFen * (1.01 + rng.next() * 0.11)) / 100) * 100;
        const items = blatant
          ? rng.bool(0.7)
            ? undefined
            : [{ sku: 'sku_misc', qty: 1, unitPriceFen: orderFen }]
          : fakeBasket(w, m, orderFen);
        const payAt = blatant ? { lat: a.lat, lon: a.lon } : rng.bool(0.5) ? nearPoint(rng, m.lat, m.lon) : {};
        const { orderId, paidFen } = w.redeem(a, issued, m, atMs, { orderFen, items }, { card: a.cards[0], terminalId: terminal, ...payAt });
        if (rng.bool(blatant ? 0.35 : 0.06)) {
          const refundMs = atMs + rng.int(10 * 60_000, 20 * HOUR_MS);
          w.refund(a, m, orderId, refundMs, paidFen - rng.int(0, Math.min(500, paidFen)), false);
        }
      }
    }
  }
}

function lateTime(w: World, issued: Parameters<typeof useTime>[1]): number {
  const rng = w.rng;
  const day = cstMidnight(issued.claimMs) + rng.int(0, 6) * DAY_MS;
  let t = timeOnDay(rng, day, LATE);
  if (t <= issued.claimMs) t = issued.claimMs + rng.int(HOUR_MS, 12 * HOUR_MS);
  return Math.min(t, issued.batch.validUntilMs - 60_000);
}

/** Item lines that add up to exactly the fake amount: real SKUs, the remainder on a generic line. */
function fakeBasket(w: World, m: Merchant, orderFen: number): { sku: string; qty: number; unitPriceFen: number }[] {
  const fits = m.skus.filter((x) => !x.resellable && x.chargedFen < orderFen);
  const s = fits.length ? w.rng.pick(fits) : undefined;
  if (!s) return [{ sku: 'sku_misc', qty: 1, unitPriceFen: orderFen }];
  const qty = Math.max(1, Math.floor((orderFen * 0.8) / s.chargedFen));
  const rest = orderFen - qty * s.chargedFen;
  const items = [{ sku: s.sku, qty, unitPriceFen: s.chargedFen }];
  if (rest > 0) items.push({ sku: 'sku_misc', qty: 1, unitPriceFen: rest });
  return items;
}
