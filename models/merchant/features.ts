// Merchant features for the risk forest. Every figure is a ratio or a comparison with peers of the
// same category and district, so a big honest supermarket and a small honest noodle shop look alike
// and a shop that stands out from its peers does not. The order of FEATURE_NAMES is the model's
// input layout: a saved model records it and refuses to load against a different one.
import { cstHour } from '../../core/clock.ts';
import { isHugging } from '../graph/build.ts';
import { median, peerKey, type PriceBaselines } from '../prices/baselines.ts';
import type { ModelWindow } from '../window.ts';

export const FEATURE_NAMES = [
  'redemptionsLog',
  'redemptionShareVsPeers',
  'refundRatio',
  'refundAfterRedemptionHoursMedian',
  'thresholdHuggingShare',
  'lateHourShare',
  'repeatPairShare',
  'distinctPayerRatio',
  'payerDistanceKmMedian',
  'payerDistanceVsPeers',
  'sharedCardShare',
  'ownerLinkedShare',
  'peakHourShare',
  'discountToOrderRatio',
  'maxPriceRise',
  'priceRiseVsPeers',
  'priceRiseBreadth',
  'tillOverMenuShare',
  'ringScore',
  'ringMemberShare',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface MerchantFeatures {
  merchantId: string;
  values: number[];
}

export interface RingMembership {
  /** Highest ring score per merchant id. */
  merchantScore: Map<string, number>;
  /** Accounts in any flagged ring. */
  flaggedAccounts: Set<string>;
}

export interface FeatureOptions {
  huggingFraction: number;
  lateHourFrom: number;
  lateHourTo: number;
  repeatPairMin: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { huggingFraction: 0.05, lateHourFrom: 23, lateHourTo: 5, repeatPairMin: 3 };

interface Acc {
  redemptions: number;
  hugging: number;
  late: number;
  discount: number;
  order: number;
  pairs: Map<string, number>;
  cards: Map<string, Set<string>>;
  cardOf: string[];
  distances: number[];
  hours: number[];
  refunds: number;
  refundDelaysH: number[];
  ownerLinked: number;
  ringMembers: number;
}

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const dLat = (lat2 - lat1) * r, dLon = (lon2 - lon1) * r;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLon / 2) ** 2;
  return 12_742 * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function merchantFeatures(window: ModelWindow, prices: PriceBaselines, rings: RingMembership, options: Partial<FeatureOptions> = {}): MerchantFeatures[] {
  return merchantFeaturesBeforeRings(window, prices, options)(rings);
}

/**
 * Everything of merchantFeatures that does not need the rings, worked out now; the function it
 * returns adds the two ring features (one pass over the redemptions) and gives merchantFeatures'
 * result. So the features can be computed while the rings are still being found.
 */
export function merchantFeaturesBeforeRings(window: ModelWindow, prices: PriceBaselines, options: Partial<FeatureOptions> = {}): (rings: RingMembership) => MerchantFeatures[] {
  const opts = { ...DEFAULT_FEATURE_OPTIONS, ...options };
  const threshold = new Map(window.couponTypes.map((c) => [c.couponTypeId, c.thresholdFen]));
  // Each account's last ID hash, kept only where it is a shop owner's (the one thing it is compared
  // with): a map of every account's hash cost ~0.5 CPU-s on a million-edge window.
  const owners = new Set<string>();
  for (const m of window.merchants) if (m.ownerIdHash) owners.add(m.ownerIdHash);
  const idHashOf = new Map<string, string>();
  if (owners.size)
    for (const c of window.claims) {
      if (!c.idHash) continue;
      if (owners.has(c.idHash)) idHashOf.set(c.userId, c.idHash);
      else idHashOf.delete(c.userId);
    }
  const merchants = new Map(window.merchants.map((m) => [m.merchantId, m]));
  const acc = new Map<string, Acc>();
  const get = (id: string): Acc => {
    let a = acc.get(id);
    if (!a) {
      a = { redemptions: 0, hugging: 0, late: 0, discount: 0, order: 0, pairs: new Map(), cards: new Map(), cardOf: [], distances: [], hours: new Array(24).fill(0), refunds: 0, refundDelaysH: [], ownerLinked: 0, ringMembers: 0 };
      acc.set(id, a);
    }
    return a;
  };
  for (const m of window.merchants) get(m.merchantId);

  // When each refunded order was redeemed (last redemption of the order id, as before).
  const refunded = new Set(window.refunds.map((f) => f.orderId));
  const redeemedAt = new Map<string, number>();
  for (const r of window.redemptions) {
    const a = get(r.merchantId);
    const m = merchants.get(r.merchantId);
    a.redemptions++;
    a.discount += r.discountFen;
    a.order += r.orderFen;
    if (isHugging(r.orderFen, threshold.get(r.couponTypeId), opts.huggingFraction)) a.hugging++;
    const h = cstHour(r.atMs);
    a.hours[h]!++;
    if (h >= opts.lateHourFrom || h < opts.lateHourTo) a.late++;
    a.pairs.set(r.userId, (a.pairs.get(r.userId) ?? 0) + 1);
    if (r.cardHash) {
      let users = a.cards.get(r.cardHash);
      if (!users) a.cards.set(r.cardHash, (users = new Set()));
      users.add(r.userId);
      a.cardOf.push(r.cardHash);
    }
    if (m && r.lat !== undefined && r.lon !== undefined) a.distances.push(haversineKm(r.lat, r.lon, m.lat, m.lon));
    const owner = m?.ownerIdHash;
    if (owner && idHashOf.get(r.userId) === owner) a.ownerLinked++;
    if (refunded.has(r.orderId)) redeemedAt.set(r.orderId, r.atMs);
  }
  for (const f of window.refunds) {
    const a = get(f.merchantId);
    a.refunds++;
    const at = redeemedAt.get(f.orderId);
    if (at !== undefined) a.refundDelaysH.push(Math.max(0, f.atMs - at) / 3_600_000);
  }

  // Peer baselines per category and district: median redemptions and median payer distance.
  const peerCounts = new Map<string, number[]>();
  const peerDist = new Map<string, number[]>();
  for (const [id, a] of acc) {
    const m = merchants.get(id);
    if (!m) continue;
    const k = peerKey(m.category, m.district);
    (peerCounts.get(k) ?? peerCounts.set(k, []).get(k)!).push(a.redemptions);
    if (a.distances.length) (peerDist.get(k) ?? peerDist.set(k, []).get(k)!).push(median(a.distances));
  }
  const peerCountMedian = new Map([...peerCounts].map(([k, v]) => [k, median(v)]));
  const peerDistMedian = new Map([...peerDist].map(([k, v]) => [k, median(v)]));

  return (rings) => {
    // Counted here, once per call (a second call with other rings counts afresh).
    for (const a of acc.values()) a.ringMembers = 0;
    if (rings.flaggedAccounts.size) for (const r of window.redemptions) if (rings.flaggedAccounts.has(r.userId)) acc.get(r.merchantId)!.ringMembers++;
    const out: MerchantFeatures[] = [];
    for (const id of [...acc.keys()].sort()) {
      const a = acc.get(id)!;
      const m = merchants.get(id);
      const k = m ? peerKey(m.category, m.district) : '';
      const n = a.redemptions;
      let repeat = 0;
      for (const c of a.pairs.values()) if (c >= opts.repeatPairMin) repeat += c;
      let sharedCard = 0;
      for (const card of a.cardOf) if ((a.cards.get(card)?.size ?? 0) >= 2) sharedCard++;
      const dist = a.distances.length ? median(a.distances) : 0;
      const rise = prices.merchantMaxRise.get(id) ?? 0;
      const values: Record<FeatureName, number> = {
        redemptionsLog: Math.log1p(n),
        redemptionShareVsPeers: Math.log((n + 1) / ((peerCountMedian.get(k) ?? 0) + 1)),
        refundRatio: n ? a.refunds / n : 0,
        refundAfterRedemptionHoursMedian: a.refundDelaysH.length ? Math.min(24 * 30, median(a.refundDelaysH)) : 24 * 30,
        thresholdHuggingShare: n ? a.hugging / n : 0,
        lateHourShare: n ? a.late / n : 0,
        repeatPairShare: n ? repeat / n : 0,
        distinctPayerRatio: n ? a.pairs.size / n : 1,
        payerDistanceKmMedian: dist,
        payerDistanceVsPeers: dist - (peerDistMedian.get(k) ?? dist),
        sharedCardShare: a.cardOf.length ? sharedCard / a.cardOf.length : 0,
        ownerLinkedShare: n ? a.ownerLinked / n : 0,
        peakHourShare: n ? Math.max(...a.hours) / n : 0,
        discountToOrderRatio: a.order ? a.discount / a.order : 0,
        maxPriceRise: rise,
        priceRiseVsPeers: rise - (prices.peerMedianRise.get(k) ?? 0),
        priceRiseBreadth: prices.merchantRiseBreadth.get(id) ?? 0,
        tillOverMenuShare: prices.merchantTillOverMenu.get(id) ?? 0,
        ringScore: rings.merchantScore.get(id) ?? 0,
        ringMemberShare: n ? a.ringMembers / n : 0,
      };
      out.push({ merchantId: id, values: FEATURE_NAMES.map((f) => values[f]) });
    }
    return out;
  };
}
