// 骗补套补: one person behind many accounts, spending the coupons at a shell shop of their own,
// splitting one purchase into several orders so every coupon gets used.
// Blatant: every account carries the same idHash (one natural person winning many times), half
//   share a phone, all use one phone and one card, the shell enrolled 12-60 hours before the start
//   with the person as owner and the person's card account as settlement account, and sessions
//   of 3-6 orders at one till within a few minutes, each just over the threshold.
// Subtle: borrowed identities of relatives (distinct idHashes), phones shared by pairs, two phones
//   and one card per two or three accounts on one home IP (like a family), a shell enrolled 6-14
//   days early that honest neighbours also visit, in the name of a relative who claims nothing, and
//   2-3 orders 20-90 minutes apart at 2-25% over the threshold. Only the graph (shared cards and
//   phones tying the accounts together, their coupons concentrating on one young shop) shows it.
import { simId } from '../fastid.ts';
import { DAY_MS, HOUR_MS } from '../campaign.ts';
import { offsetKm, pickDistrict, pointIn } from '../geo.ts';
import { homeIp, mobileUserAgent, type Card } from '../identity.ts';
import { channelOf, honestPurchase, makeMerchant } from '../honest.ts';
import type { Variant } from '../labels.ts';
import { hourProfile, humanClaimDelay, useTime, type Account, type Issued, type World } from '../world.ts';
import { variantOf } from './variant.ts';

export function injectSubsidyRings(w: World, rings: number, subtleShare: number): void {
  for (let i = 0; i < rings; i++) ring(w, variantOf(i, rings, subtleShare));
}

function ring(w: World, variant: Variant): void {
  const rng = w.rng;
  const blatant = variant === 'blatant';
  const size = blatant ? rng.int(6, 10) : rng.int(3, 5);
  const g = pickDistrict(rng);
  const home = pointIn(rng, g);
  const ip = homeIp(rng);
  const person = w.identities.person(g.adminCode);
  const createdBase = w.plan.lotteryMs - rng.int(40, 400) * DAY_MS;
  const phones = Array.from({ length: blatant ? 1 : 2 }, () => ({ deviceId: simId('device', createdBase, w.idRng), userAgent: mobileUserAgent(rng) }));
  const cards: Card[] = Array.from({ length: blatant ? 1 : Math.ceil(size / rng.int(2, 3)) }, () => w.identities.card());
  if (blatant) for (const p of phones) w.labels.device(p.deviceId, 'subsidy_fraud');
  const accounts: Account[] = [];
  let sharedPhone = person.phoneHash;
  for (let i = 0; i < size; i++) {
    const borrowed = blatant ? person : w.identities.person(g.adminCode);
    if (!blatant && i % 2 === 0) sharedPhone = borrowed.phoneHash;
    const phoneHash = blatant ? (i % 2 === 0 ? person.phoneHash : w.identities.phoneHash()) : sharedPhone;
    const createdMs = createdBase + i * rng.int(0, 3) * DAY_MS + rng.int(0, DAY_MS);
    const a = w.newAccount({
      idHash: borrowed.idHash,
      phoneHash,
      ...phones[i % phones.length]!,
      ip,
      channel: channelOf(w),
      ...offsetKm(rng, home.lat, home.lon, rng.next() * 0.05),
      createdMs,
      cards: [cards[i % cards.length]!],
    });
    w.labels.user(a.userId, 'subsidy_fraud', variant);
    w.grant(a, w.plan.lotteryMs + rng.int(0, 2 * HOUR_MS));
    accounts.push(a);
  }
  // The subtle shell is in a relative's name who claims nothing: no owner-equals-claimant shortcut.
  const owner = blatant ? person.idHash : w.identities.person(g.adminCode).idHash;
  const shop = makeMerchant(w, {
    category: rng.pick(['retail', 'supermarket', 'dining'] as const),
    geo: g,
    registeredMs: w.plan.startMs - (blatant ? rng.int(12 * HOUR_MS, 60 * HOUR_MS) : rng.int(6 * DAY_MS, 14 * DAY_MS)),
    listed: !blatant,
    skuCount: rng.int(3, 4),
  });
  shop.ownerIdHash = owner;
  if (blatant) shop.settlementAccountHash = cards[0]!.hash;
  w.addMerchant(shop);
  w.labels.merchant(shop.merchantId, 'subsidy_fraud', variant);
  const terminal = shop.terminals[0]!;

  const claimed = new Map<string, number>();
  for (const batch of w.plan.batches) {
    const issued: { a: Account; c: Issued }[] = [];
    for (const a of accounts) {
      const types = batch.coupons.filter((c) => c.kind !== 'lodging' && c.categories.includes(shop.category));
      const room = Math.min(w.plan.limits.perPersonPerBatch, w.plan.limits.perPerson - (claimed.get(a.userId) ?? 0));
      for (const c of rng.shuffle(types).slice(0, Math.max(0, room))) {
        claimed.set(a.userId, (claimed.get(a.userId) ?? 0) + 1);
        issued.push({ a, c: w.claim(a, batch, c, batch.dropMs + Math.floor(humanClaimDelay(rng))) });
      }
    }
    // Split sessions: several coupons from different accounts spent on one purchase at one till.
    rng.shuffle(issued);
    for (let i = 0; i < issued.length; ) {
      const n = blatant ? rng.int(3, 6) : rng.int(2, 3);
      const session = issued.slice(i, i + n);
      i += n;
      const latest = session.reduce((x, s) => Math.max(x, s.c.claimMs), 0);
      const first = session.find((s) => s.c.claimMs === latest)!.c;
      let t = useTime(rng, first, hourProfile(shop.category), 1.5);
      for (const { a, c } of session) {
        if (!blatant && rng.bool(0.25)) {
          const other = w.nearbyMerchant(a.lat, a.lon, c.coupon.categories, (m) => m !== shop);
          if (other) {
            honestPurchase(w, a, c, other);
            continue;
          }
        }
        const over = blatant ? rng.int(0, 400) : Math.round(c.coupon.thresholdFen * (0.02 + rng.next() * 0.23));
        const base = c.coupon.kind === 'no_threshold' ? c.coupon.discountFen + rng.int(0, 1500) : c.coupon.thresholdFen;
        const orderFen = Math.round((base + over) / 10) * 10;
        const at = Math.min(t, c.batch.validUntilMs - 60_000);
        w.redeem(a, c, shop, at, { orderFen, items: blatant ? [{ sku: shop.skus[0]!.sku, qty: 1, unitPriceFen: orderFen }] : undefined }, { terminalId: terminal, card: a.cards[0] });
        t += blatant ? rng.int(25_000, 90_000) : rng.int(20, 90) * 60_000;
      }
    }
  }
}
