// Price baselines: per SKU, the lowest price seen in the 7 days before the campaign started (what a
// merchant charged before subsidies made raising prices pay), and peer medians per category and
// district. The price-gouging rule and the merchant features both read these.
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

export function priceBaselines(window: ModelWindow, opts: { lookbackDays?: number } = {}): PriceBaselines {
  const lookback = (opts.lookbackDays ?? 7) * DAY;
  const campaignStartMs = window.campaigns.length ? Math.min(...window.campaigns.map((c) => c.startsAtMs)) : Number.POSITIVE_INFINITY;
  const skus = new Map<string, SkuPrice>();
  for (const p of window.prices) {
    const key = skuKey(p.merchantId, p.sku);
    let s = skus.get(key);
    if (!s) skus.set(key, (s = { merchantId: p.merchantId, sku: p.sku }));
    if (p.atMs < campaignStartMs) {
      if (p.atMs >= campaignStartMs - lookback && (s.baselineFen === undefined || p.priceFen < s.baselineFen)) s.baselineFen = p.priceFen;
    } else if (s.campaignMaxFen === undefined || p.priceFen > s.campaignMaxFen) s.campaignMaxFen = p.priceFen;
  }
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
  };
}
