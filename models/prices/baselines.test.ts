import { describe, expect, it } from 'vitest';
import { baseWindow, T0 } from '../testing/window-fixtures.ts';
import { peerKey, priceBaselines, skuKey } from './baselines.ts';

const DAY = 86_400_000;

describe('price baselines', () => {
  it('takes the lowest price of the 7 days before the campaign and the rise after it', () => {
    const w = baseWindow(); // campaign starts at T0 - 1 day
    const start = T0 - DAY;
    w.prices.push(
      { merchantId: 'mch_0', sku: 'noodles', priceFen: 900, source: 'menu', atMs: start - 10 * DAY }, // too early: ignored
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

  it('has no baseline for a SKU first seen after the campaign started', () => {
    const w = baseWindow();
    w.prices.push({ merchantId: 'mch_0', sku: 'tea', priceFen: 500, source: 'pos', atMs: T0 });
    const b = priceBaselines(w);
    expect(b.skus.get(skuKey('mch_0', 'tea'))?.baselineFen).toBeUndefined();
    expect(b.merchantMaxRise.has('mch_0')).toBe(false);
  });
});
