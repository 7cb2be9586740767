import { describe, expect, it } from 'vitest';
import { baseWindow, T0 } from '../testing/window-fixtures.ts';
import { peerKey, priceBaselines, skuKey } from './baselines.ts';

const DAY = 86_400_000;

describe('price baselines', () => {
  it('takes the lowest price of the 7 days before the campaign and the rise after it', () => {
    const w = baseWindow(); // campaign starts at T0 - 1 day
    const start = T0 - DAY;
    w.prices.push(
      { merchantId: 'mch_0', sku: 'noodles', priceFen: 900, source: 'menu', atMs: start - 10 * DAY }, // replaced before the 7 days began
      { merchantId: 'mch_0', sku: 'noodles', priceFen: 1_300, source: 'menu', atMs: start - 9 * DAY }, // in effect when they began
      { merchantId: 'mch_0', sku: 'noodles', priceFen: 1_200, source: 'menu', atMs: start - 5 * DAY },
      { merchantId: 'mch_0', sku: 'noodles', priceFen: 1_100, source: 'pos', atMs: start - 1 * DAY },
      { merchantId: 'mch_0', sku: 'noodles', priceFen: 1_650, source: 'pos', atMs: start + 2 * DAY },
      { merchantId: 'mch_1', sku: 'noodles', priceFen: 1_000, source: 'menu', atMs: start - 2 * DAY },
      { merchantId: 'mch_1', sku: 'noodles', priceFen: 1_000, source: 'pos', atMs: start + 2 * DAY },
      { merchantId: 'mch_2', sku: 'noodles', priceFen: 1_300, source: 'menu', atMs: start - 2 * DAY },
    );
    const b = priceBaselines(w);
    expect(b.skus.get(skuKey('mch_0', 'noodles'))).toMatchObject({ baselineFen: 1_100, campaignMaxFen: 1_650, rise: 0.5 });
    expect(b.merchantMaxRise.get('mch_1')).toBe(0);
    expect(b.peerMedianFen.get(peerKey('dining', 'haizhou', 'noodles'))).toBe(1_100);
    expect(b.peerMedianRise.get(peerKey('dining', 'haizhou'))).toBe(0.25);
  });

  it('counts the price in effect when the 7 days began, and notes till prices above the menu', () => {
    const w = baseWindow();
    const start = T0 - DAY;
    w.prices.push(
      { merchantId: 'mch_3', sku: 'rice', priceFen: 2_000, source: 'baseline', atMs: start - 12 * DAY },
      { merchantId: 'mch_3', sku: 'rice', priceFen: 2_000, source: 'menu', atMs: start - 3_600_000 },
      { merchantId: 'mch_3', sku: 'rice', priceFen: 2_300, source: 'pos', atMs: start + DAY },
      { merchantId: 'mch_3', sku: 'fish', priceFen: 5_000, source: 'menu', atMs: start - 3_600_000 },
      { merchantId: 'mch_3', sku: 'fish', priceFen: 5_000, source: 'pos', atMs: start + DAY },
    );
    const b = priceBaselines(w);
    expect(b.skus.get(skuKey('mch_3', 'rice'))).toMatchObject({ baselineFen: 2_000, menuFen: 2_000, posMaxFen: 2_300 });
    expect(b.merchantRiseBreadth.get('mch_3')).toBe(0.5);
    expect(b.merchantTillOverMenu.get('mch_3')).toBe(0.5);
  });

  it('has no baseline for a SKU first seen after the campaign started', () => {
    const w = baseWindow();
    w.prices.push({ merchantId: 'mch_0', sku: 'tea', priceFen: 500, source: 'pos', atMs: T0 });
    const b = priceBaselines(w);
    expect(b.skus.get(skuKey('mch_0', 'tea'))?.baselineFen).toBeUndefined();
    expect(b.merchantMaxRise.has('mch_0')).toBe(false);
  });
});
