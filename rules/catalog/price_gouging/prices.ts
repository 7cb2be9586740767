// The prices an event shows: the items of a redemption, or one observed price.
import type { QuanguardEvent } from '../../../core/events.ts';

export interface ShownPrice {
  merchantId: string;
  sku: string;
  priceFen: number;
}

export function shownPrices(e: QuanguardEvent): ShownPrice[] {
  if (e.type === 'price.observed') return e.source === 'baseline' ? [] : [{ merchantId: e.merchantId, sku: e.sku, priceFen: e.priceFen }];
  if (e.type === 'redemption' && e.items) return e.items.map((i) => ({ merchantId: e.merchantId, sku: i.sku, priceFen: i.unitPriceFen }));
  return [];
}
