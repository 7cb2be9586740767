// The prices an event shows: the items of a redemption, or one observed price.
import type { QuanguardEvent } from '../../../core/events.ts';

export interface ShownPrice {
  merchantId: string;
  sku: string;
  priceFen: number;
}

// The same, read in place (no list built per event): how many, and the i-th SKU and price.
export function shownCount(e: QuanguardEvent): number {
  if (e.type === 'price.observed') return e.source === 'baseline' ? 0 : 1;
  if (e.type === 'redemption' && e.items) return e.items.length;
  return 0;
}

/** The merchant showing the prices (call only when shownCount(e) > 0). */
export function shownMerchant(e: QuanguardEvent): string {
  return (e as { merchantId: string }).merchantId;
}

export function shownSku(e: QuanguardEvent, i: number): string {
  return e.type === 'redemption' ? e.items![i]!.sku : (e as { sku: string }).sku;
}

export function shownPriceFen(e: QuanguardEvent, i: number): number {
  return e.type === 'redemption' ? e.items![i]!.unitPriceFen : (e as { priceFen: number }).priceFen;
}

export function shownPrices(e: QuanguardEvent): ShownPrice[] {
  if (e.type === 'price.observed') return e.source === 'baseline' ? [] : [{ merchantId: e.merchantId, sku: e.sku, priceFen: e.priceFen }];
  if (e.type === 'redemption' && e.items) return e.items.map((i) => ({ merchantId: e.merchantId, sku: i.sku, priceFen: i.unitPriceFen }));
  return [];
}
