// The honest city: shops of every category spread over the six districts, and lottery winners in
// households who claim, shop near home in the daytime and sometimes get a refund. Some honest
// people look a bit odd on purpose (shared family phones and cards, late dinners, 凑单 amounts
// right over a threshold, brand-new accounts), so a detector's precision is measured honestly.
import type { Category } from '../core/events.ts';
import { simId } from './fastid.ts';
import type { PlannedBatch, PlannedCoupon } from './campaign.ts';
import { DAY_MS, HOUR_MS } from './campaign.ts';
import { offsetKm, pickDistrict, pointIn, type DistrictGeo } from './geo.ts';
import { homeIp, mobileUserAgent, type Card } from './identity.ts';
import { hourProfile, humanClaimDelay, useTime, type Account, type Channel, type Merchant, type World } from './world.ts';

const CATEGORY_MIX: Category[] = ['dining', 'retail', 'supermarket', 'entertainment', 'lodging', 'mall', 'department_store'];
const CATEGORY_WEIGHTS = [0.36, 0.22, 0.13, 0.09, 0.08, 0.05, 0.07];
const SHOP_WORD: Record<Category, string[]> = {
  dining: ['饭店', '海鲜馆', '面馆', '烧烤', '小吃店', '酒楼'],
  retail: ['专卖店', '服饰', '数码店', '百货店', '烟酒店'],
  supermarket: ['超市', '便利店', '生鲜超市'],
  mall: ['购物中心', '广场'],
  department_store: ['百货', '商厦', '电器城'],
  lodging: ['酒店', '宾馆', '民宿'],
  entertainment: ['影城', 'KTV', '游乐中心', '浴场'],
};
const ONE_TO_THREE = [1, 2, 3];
const HOUSEHOLD_WEIGHTS = [0.65, 0.27, 0.08];
const WANT_WEIGHTS = [0.45, 0.35, 0.2];
const CHANNELS: Channel[] = ['alipay', 'wechat', 'unionpay', 'app'];
const CHANNEL_WEIGHTS = [0.4, 0.3, 0.2, 0.1];

export function channelOf(w: World): Channel {
  return w.rng.weighted(CHANNELS, CHANNEL_WEIGHTS);
}

/**
 * An ordinary smartphone account of a person from district `g` living at `home`: fresh device,
 * home IP, a mobile user agent. `cards` is called last, so the random draws keep their order.
 */
export function ordinaryAccount(w: World, g: DistrictGeo, home: { lat: number; lon: number }, createdMs: number, cards: () => Card[], userId?: string): Account {
  const rng = w.rng;
  return w.newAccount(
    {
      ...w.identities.person(g.adminCode),
      deviceId: simId('device', createdMs, w.idRng),
      ip: homeIp(rng),
      userAgent: mobileUserAgent(rng),
      channel: channelOf(w),
      ...home,
      createdMs,
      cards: cards(),
    },
    userId,
  );
}

export function shopName(w: World, g: DistrictGeo, category: Category): string {
  return `${g.nameZh}${w.rng.pick(SHOP_WORD[category])}${w.rng.int(1, 999)}号`;
}

/** A shop of a category in a district: honest unless a scenario changes it afterwards. */
export function makeMerchant(
  w: World,
  opts: { merchantId?: string; category?: Category; geo?: DistrictGeo; registeredMs?: number; listed?: boolean; skuCount?: number } = {},
): Merchant {
  const rng = w.rng;
  const category = opts.category ?? rng.weighted(CATEGORY_MIX, CATEGORY_WEIGHTS);
  const g = opts.geo ?? pickDistrict(rng);
  const at = pointIn(rng, g, 0.6);
  const start = w.plan.startMs;
  // Shops enrol in the programme over the weeks before it; a few enrol at the last minute.
  const registeredMs = opts.registeredMs ?? (rng.bool(0.03) ? start - rng.int(12 * 3600, 72 * 3600) * 1000 : start - rng.int(12 * 24 * 3600, 60 * 24 * 3600) * 1000);
  const merchantId = opts.merchantId ?? simId('merchant', registeredMs, w.idRng);
  const carries = ['supermarket', 'department_store', 'mall', 'retail'].includes(category) && rng.bool(0.45);
  const terminals = Array.from({ length: rng.int(1, category === 'mall' || category === 'department_store' ? 6 : 3) }, (_, i) => `term_${merchantId.slice(4, 12)}_${i + 1}`);
  const owner = w.identities.person(g.adminCode);
  return {
    merchantId,
    name: shopName(w, g, category),
    category,
    district: g.district,
    lat: at.lat,
    lon: at.lon,
    registeredMs,
    skus: w.stockSkus(category, { resellable: carries, count: opts.skuCount }),
    terminals,
    ownerIdHash: owner.idHash,
    settlementAccountHash: w.identities.opaqueHash('settlement'),
    listed: opts.listed ?? true,
  };
}

/** Honest price behaviour: most prices stay put; some move a few per cent; rarely one jumps. */
export function honestPrices(w: World, m: Merchant): void {
  const rng = w.rng;
  for (const s of m.skus) {
    if (s.resellable || rng.bool(0.85)) continue;
    s.chargedFen = s.menuFen = Math.round((s.baseFen * (1 + rng.normal(0, 0.025))) / 10) * 10;
  }
  // A genuine seasonal rise on one item (seafood, hotel rooms at the seaside) reads like gouging.
  if (rng.bool(0.03)) {
    const s = rng.pick(m.skus);
    s.chargedFen = s.menuFen = Math.round((s.baseFen * (1.08 + rng.next() * 0.07)) / 10) * 10;
  }
}

export function createHonestMerchants(w: World, count: number): Merchant[] {
  const out: Merchant[] = [];
  // Every category exists at least once, whatever the count.
  for (let i = 0; i < count; i++) {
    const m = makeMerchant(w, { category: i < CATEGORY_MIX.length ? CATEGORY_MIX[i] : undefined });
    honestPrices(w, m);
    out.push(w.addMerchant(m));
  }
  return out;
}

/**
 * Honest winners in households of one to three; family members share a home IP, some a phone or card.
 * `owners` are the shops whose owners may be among them (each shard of the city gets its own share,
 * so no owner wins twice).
 */
export function createHonestPopulation(w: World, count: number, owners: readonly Merchant[] = w.merchants): Account[] {
  const rng = w.rng;
  const out: Account[] = [];
  const ownersWhoWon = new Set<Merchant>();
  while (out.length < count) {
    const g = pickDistrict(rng);
    const home = pointIn(rng, g);
    const ip = homeIp(rng);
    const size = Math.min(count - out.length, rng.weighted(ONE_TO_THREE, HOUSEHOLD_WEIGHTS));
    let familyDevice: { deviceId: string; userAgent: string } | undefined;
    const familyCard = size > 1 && rng.bool(0.15) ? w.identities.card() : undefined;
    for (let k = 0; k < size; k++) {
      const createdMs = rng.bool(0.08) ? w.plan.lotteryMs - rng.int(1, 30 * DAY_MS) : w.plan.lotteryMs - rng.int(60, 8 * 365) * DAY_MS - rng.int(0, DAY_MS);
      let person = w.identities.person(g.adminCode);
      // Shopkeepers win the lottery too: an owner who is also a claimant is not by itself a shell.
      if (k === 0 && rng.bool(0.02) && owners.length) {
        const shop = rng.pick(owners);
        if (!ownersWhoWon.has(shop)) {
          ownersWhoWon.add(shop);
          person = { ...person, idHash: shop.ownerIdHash };
        }
      }
      let device = { deviceId: simId('device', createdMs, w.idRng), userAgent: mobileUserAgent(rng) };
      // An elderly parent claiming on a child's phone.
      if (k > 0 && familyDevice && rng.bool(0.6)) device = familyDevice;
      if (k === 0 && size > 1 && rng.bool(0.12)) familyDevice = device;
      const cards = familyCard && rng.bool(0.7) ? [familyCard] : [w.identities.card()];
      if (rng.bool(0.3)) cards.push(w.identities.card());
      const at = offsetKm(rng, home.lat, home.lon, rng.next() * 0.05);
      // Spelled out, not spread: the same fields and draws, one object instead of three.
      const a = w.newAccount({ idHash: person.idHash, phoneHash: person.phoneHash, deviceId: device.deviceId, userAgent: device.userAgent, ip, channel: channelOf(w), lat: at.lat, lon: at.lon, createdMs, cards });
      w.grant(a, w.plan.lotteryMs + rng.int(0, 2 * HOUR_MS));
      out.push(a);
    }
  }
  return out;
}

/** Picks up to `n` different coupon types of a batch by popularity. */
export function chooseCoupons(w: World, batch: PlannedBatch, n: number): PlannedCoupon[] {
  const rest = [...batch.coupons];
  const out: PlannedCoupon[] = [];
  while (out.length < n && rest.length) {
    const c = byPopularity(w, rest);
    out.push(c);
    rest.splice(rest.indexOf(c), 1);
  }
  return out;
}

/** `rng.weighted(rest, rest.map((r) => r.popularity))` without the array: the same sums in the
 * same order, so the same pick from the same draw. */
function byPopularity(w: World, rest: readonly PlannedCoupon[]): PlannedCoupon {
  let total = 0;
  for (let i = 0; i < rest.length; i++) total += rest[i]!.popularity;
  let r = w.rng.next() * total;
  for (let i = 0; i < rest.length; i++) {
    r -= rest[i]!.popularity;
    if (r < 0) return rest[i]!;
  }
  return rest[rest.length - 1]!;
}

/** What an honest shopper spends with a coupon: spread above the threshold, sometimes 凑单 right over it. */
export function honestTarget(w: World, c: PlannedCoupon): number {
  const rng = w.rng;
  if (c.kind === 'no_threshold') return Math.max(c.discountFen + 500, Math.round(rng.logNormal(Math.max(3 * c.discountFen, 4000), 0.6)));
  if (rng.bool(0.05)) return c.thresholdFen + rng.int(0, Math.round(c.thresholdFen * 0.04));
  return Math.round(c.thresholdFen * (1 + rng.logNormal(0.35, 0.8)));
}

export function honestBehaviour(w: World, accounts: Account[]): void {
  const rng = w.rng;
  for (const a of accounts) {
    const keenness = 0.4 + 0.6 * rng.next();
    let claimed = 0;
    for (const batch of w.plan.batches) {
      if (!rng.bool(keenness)) continue;
      const want = Math.min(rng.weighted(ONE_TO_THREE, WANT_WEIGHTS), w.plan.limits.perPerson - claimed);
      for (const c of chooseCoupons(w, batch, want)) {
        const issued = w.claim(a, batch, c, batch.dropMs + Math.floor(humanClaimDelay(rng)), rng.bool(0.3) ? { ip: rng.pick(w.mobileIps) } : {});
        claimed++;
        if (!rng.bool(0.78)) continue;
        // Lodging is for trips: any hotel in the city. Otherwise near home, sometimes downtown.
        const from = rng.bool(0.8) ? a : pointNear(w, a);
        const m = c.kind === 'lodging' ? w.anyMerchant(c.categories) : w.nearbyMerchant(from.lat, from.lon, c.categories);
        if (!m) continue;
        honestPurchase(w, a, issued, m);
      }
    }
  }
}

function pointNear(w: World, a: Account): { lat: number; lon: number } {
  return offsetKm(w.rng, a.lat, a.lon, w.rng.int(3, 25));
}

export function honestPurchase(w: World, a: Account, issued: ReturnType<World['claim']>, m: Merchant): void {
  const rng = w.rng;
  const c = issued.coupon;
  let order = w.basket(m, honestTarget(w, c));
  if (order.orderFen < c.thresholdFen) order = w.basket(m, c.thresholdFen);
  if (order.orderFen < c.thresholdFen) return;
  // A bottle or two of liquor for a family dinner, bought with a coupon: honest, but near hoarding.
  const resellable = w.skuLists(m).resellable;
  const gifts = resellable.length ? resellable.filter((s) => s.chargedFen <= 60_000) : resellable;
  if (gifts.length && rng.bool(0.02)) {
    const s = rng.pick(gifts);
    const qty = rng.bool(0.3) ? 2 : 1;
    order = { orderFen: order.orderFen + s.chargedFen * qty, items: [...order.items, { sku: s.sku, qty, unitPriceFen: s.chargedFen }] };
  }
  const atMs = useTime(rng, issued, hourProfile(m.category));
  // Some tills (small eateries) do not send item lines.
  const { orderId, paidFen } = w.redeem(a, issued, m, atMs, rng.bool(0.85) ? order : { orderFen: order.orderFen });
  if (rng.bool(0.015)) {
    const refundMs = atMs + rng.int(30 * 60_000, 3 * DAY_MS);
    const full = rng.bool(0.6);
    const within = refundMs <= issued.batch.validUntilMs;
    w.refund(a, m, orderId, refundMs, full ? paidFen : Math.max(1, Math.round(paidFen * rng.next() * 0.5)), full && within);
  }
}
