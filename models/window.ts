// The models' input: the recent window as plain rows. Both sources (an in-memory event array for
// replay and tests, ClickHouse for `npm start`) produce this, so every algorithm stays pure.
import type { Category, District } from '../core/events.ts';

export interface ClaimRow {
  userId: string;
  atMs: number;
  batchId: string;
  couponTypeId: string;
  idHash?: string;
  phoneHash?: string;
  deviceId?: string;
  ip?: string;
  userAgent?: string;
  accountCreatedAtMs?: number;
}

export interface RedemptionRow {
  userId: string;
  merchantId: string;
  orderId: string;
  couponTypeId: string;
  atMs: number;
  orderFen: number;
  discountFen: number;
  cardHash?: string;
  deviceId?: string;
  ip?: string;
  lat?: number;
  lon?: number;
}

export interface RefundRow {
  orderId: string;
  merchantId: string;
  userId: string;
  atMs: number;
  refundFen: number;
}

export interface MerchantRow {
  merchantId: string;
  category: Category;
  district: District;
  lat: number;
  lon: number;
  ownerIdHash?: string;
  settlementAccountHash?: string;
  /** When the merchant first registered: a shop enrolled days before the start has no history. */
  registeredAtMs?: number;
}

export interface PriceRow {
  merchantId: string;
  sku: string;
  priceFen: number;
  source: 'baseline' | 'menu' | 'pos';
  atMs: number;
}

export interface CouponTypeRow {
  couponTypeId: string;
  thresholdFen: number;
  discountFen: number;
}

export interface BatchRow {
  batchId: string;
  campaignId: string;
  dropAtMs: number;
}

export interface CampaignRow {
  campaignId: string;
  startsAtMs: number;
}

export interface ModelWindow {
  /** The window's end (event time): figures such as account age are taken at this instant. */
  endMs: number;
  claims: ClaimRow[];
  redemptions: RedemptionRow[];
  refunds: RefundRow[];
  merchants: MerchantRow[];
  prices: PriceRow[];
  couponTypes: CouponTypeRow[];
  batches: BatchRow[];
  campaigns: CampaignRow[];
}

export function emptyWindow(endMs = 0): ModelWindow {
  return { endMs, claims: [], redemptions: [], refunds: [], merchants: [], prices: [], couponTypes: [], batches: [], campaigns: [] };
}
