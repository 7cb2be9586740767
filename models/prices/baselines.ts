// Price baselines: per SKU, the lowest price in effect during the 7 days before the campaign started
// (China's 2020 promotion rules measure a discount against that), counting the last price seen
// before those 7 days as still in effect at their start, as rules/reference does; and peer medians
// per category and district. The merchant features read these.
import type { Category, District } from '../../core/events.ts';
import type { ModelWindow } from '../window.ts';

const DAY = 86_400_000;

export interface SkuPrice {
  merchantId: string;
  sku: string;
  /** Lowest price in [campaignStart - lookbackDays, campaignStart); undefined if none was seen. */
  baselineFen?: number;
  /** Highest price seen from the campaign start on. */
  campaignMaxFen?: number;
  /** The latest published menu price, and the highest till (POS) price from the start on. */
  menuFen?: number;
  posMaxFen?: number;
  /** campaignMaxFen / baselineFen - 1, when both exist. */
  rise?: number;
}

export interface PriceBaselines {
  campaignStartMs: number;
  skus: Map<string, SkuPrice>;
  /** Median baseline price of a SKU among merchants of the same category and district. */
  peerMedianFen: Map<string, number>;
  /** Per merchant, its largest SKU rise against its own baseline. */
  merchantMaxRise: Map<string, number>;
  /** Median of merchants' largest rises per category and district. */
  peerMedianRise: Map<string, number>;
  /** Per merchant, the share of its SKUs charged at least `breadthRise` over their baseline. */
  merchantRiseBreadth: Map<string, number>;
  /** Per merchant, the share of its SKUs whose till price exceeds the published menu. */
  merchantTillOverMenu: Map<string, number>;
}

export function skuKey(merchantId: string, sku: string): string {
  return `${merchantId}\u0000${sku}`;
}

export function peerKey(category: Category, district: District, sku?: string): string {
  return sku === undefined ? `${category}\u0000${district}` : `${category}\u0000${district}\u0000${sku}`;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function priceBaselines(window: ModelWindow, opts: { lookbackDays?: number; breadthRise?: number } = {}): PriceBaselines {
  const lookback = (opts.lookbackDays ?? 7) * DAY;
  const breadthRise = opts.breadthRise ?? 0.05;
  const campaignStartMs = window.campaigns.length ? Math.min(...window.campaigns.map((c) => c.startsAtMs)) : Number.POSITIVE_INFINITY;
  const from = campaignStartMs - lookback;
  const skus = new Map<string, SkuPrice>();
  const lastBefore = new Map<string, { at: number; price: number }>();
  const menuAt = new Map<string, number>();
  for (const p of window.prices) {
    const key = skuKey(p.merchantId, p.sku);
    let s = skus.get(key);
    if (!s) skus.set(key, (s = { merchantId: p.merchantId, sku: p.sku }));
    if (p.source === 'menu' && p.atMs >= (menuAt.get(key) ?? -Infinity)) {
      menuAt.set(key, p.atMs);
      s.menuFen = p.priceFen;
    }
    if (p.atMs < from) {
      const l = lastBefore.get(key);
      if (!l || p.atMs >= l.at) lastBefore.set(key, { at: p.atMs, price: p.priceFen });
    } else if (p.atMs < campaignStartMs) {
      if (s.baselineFen === undefined || p.priceFen < s.baselineFen) s.baselineFen = p.priceFen;
    } else {
      if (s.campaignMaxFen === undefined || p.priceFen > s.campaignMaxFen) s.campaignMaxFen = p.priceFen;
      if (p.source === 'pos' && (s.posMaxFen === undefined || p.priceFen > s.posMaxFen)) s.posMaxFen = p.priceFen;
    }
  }
  for (const [key, l] of lastBefore) {
    const s = skus.get(key)!;
    if (s.baselineFen === undefined || l.price < s.baselineFen) s.baselineFen = l.price;
  }
  const raised = new Map<string, { skus: number; raised: number; tillOver: number; withMenu: number }>();
  for (const s of skus.values()) {
    const r = raised.get(s.merchantId) ?? { skus: 0, raised: 0, tillOver: 0, withMenu: 0 };
    raised.set(s.merchantId, r);
    r.skus++;
    if (s.baselineFen && s.campaignMaxFen !== undefined && s.campaignMaxFen >= s.baselineFen * (1 + breadthRise)) r.raised++;
    if (s.menuFen !== undefined && s.posMaxFen !== undefined) {
      r.withMenu++;
      if (s.posMaxFen > s.menuFen) r.tillOver++;
    }
  }
  const merchantRiseBreadth = new Map([...raised].map(([id, r]) => [id, r.skus ? r.raised / r.skus : 0]));
  const merchantTillOverMenu = new Map([...raised].map(([id, r]) => [id, r.withMenu ? r.tillOver / r.withMenu : 0]));
  const merchantMaxRise = new Map<string, number>();
  for (const s of skus.values()) {
    if (s.baselineFen === undefined || s.campaignMaxFen === undefined || s.baselineFen === 0) continue;
    s.rise = s.campaignMaxFen / s.baselineFen - 1;
    merchantMaxRise.set(s.merchantId, Math.max(merchantMaxRise.get(s.merchantId) ?? -Infinity, s.rise));
  }

  const merchant = new Map(window.merchants.map((m) => [m.merchantId, m]));
  const peerPrices = new Map<string, number[]>();
  for (const s of skus.values()) {
    const m = merchant.get(s.merchantId);
    if (!m || s.baselineFen === undefined) continue;
    const k = peerKey(m.category, m.district, s.sku);
    const list = peerPrices.get(k) ?? [];
    list.push(s.baselineFen);
    peerPrices.set(k, list);
  }
  const peerRises = new Map<string, number[]>();
  for (const [id, rise] of merchantMaxRise) {
    const m = merchant.get(id);
    if (!m) continue;
    const k = peerKey(m.category, m.district);
    const list = peerRises.get(k) ?? [];
    list.push(rise);
    peerRises.set(k, list);
  }
  return {
    campaignStartMs,
    skus,
    peerMedianFen: new Map([...peerPrices].map(([k, v]) => [k, median(v)])),
    merchantMaxRise,
    peerMedianRise: new Map([...peerRises].map(([k, v]) => [k, median(v)])),
    merchantRiseBreadth,
    merchantTillOverMenu,
  };
}
