import { describe, expect, it } from 'vitest';
import { at, campaign, DROP, merchant, price, redemption } from '../testing/events.ts';
import { Reference } from './state.ts';

const DAY = 86_400_000;

describe('Reference orders', () => {
  it('keeps the last maxOrders orders (oldest forgotten first) with their time and discount', () => {
    const ref = new Reference({ maxOrders: 3 });
    const orders = ['ord_a', 'ord_b', 'ord_c', 'ord_d', 'ord_e'];
    orders.forEach((orderId, i) => ref.observe(redemption({ orderId, discountFen: 1_000 + i, merchantId: 'mch_o' }), DROP + i));
    expect(orders.map((o) => ref.orderRedemption(o))).toEqual([undefined, undefined, { t: DROP + 2, discountFen: 1_002 }, { t: DROP + 3, discountFen: 1_003 }, { t: DROP + 4, discountFen: 1_004 }]);
    // An order seen again keeps its first answer and takes no place of another.
    ref.observe(redemption({ orderId: 'ord_c', discountFen: 9_999, merchantId: 'mch_o' }), DROP + 9);
    expect(ref.orderRedemption('ord_c')).toEqual({ t: DROP + 2, discountFen: 1_002 });
    expect(ref.orderRedemption('ord_e')).toEqual({ t: DROP + 4, discountFen: 1_004 });
    ref.observe(redemption({ orderId: 'ord_f', discountFen: 7, merchantId: 'mch_o' }), DROP + 10);
    expect([ref.orderRedemption('ord_c'), ref.orderRedemption('ord_f')]).toEqual([undefined, { t: DROP + 10, discountFen: 7 }]);
  });
});

describe('Reference price rises', () => {
  it('counts the SKUs a merchant showed at minRatio times their baseline or more, during a campaign only', () => {
    const ref = new Reference();
    ref.observe(campaign(), DROP - 10 * DAY);
    ref.observe(merchant({ merchantId: 'mch_p' }), DROP - 40 * DAY);
    for (const sku of ['sku_a', 'sku_b', 'sku_c']) ref.observe(price({ merchantId: 'mch_p', sku, priceFen: 1_000, source: 'baseline' }), DROP - 3 * DAY);
    // Before the campaign a high price is no rise.
    ref.observe(price({ merchantId: 'mch_p', sku: 'sku_a', priceFen: 5_000 }), DROP - DAY);
    expect(ref.raisedSkuCount('mch_p', 1.2)).toBe(0);
    expect(ref.baselinePrice('mch_p', 'sku_a', DROP)).toBe(1_000);
    ref.observe(price({ merchantId: 'mch_p', sku: 'sku_a', priceFen: 1_300, occurredAt: at(DROP + DAY) }), DROP + DAY);
    ref.observe(price({ merchantId: 'mch_p', sku: 'sku_b', priceFen: 1_100, occurredAt: at(DROP + DAY) }), DROP + DAY);
    ref.observe(redemption({ merchantId: 'mch_p', items: [{ sku: 'sku_c', qty: 1, unitPriceFen: 2_000 }] }), DROP + 2 * DAY);
    expect([ref.hasRaised('mch_p', 'sku_a', 1.2), ref.hasRaised('mch_p', 'sku_b', 1.2), ref.hasRaised('mch_p', 'sku_c', 1.2), ref.hasRaised('mch_p', 'sku_x', 1.2)]).toEqual([true, false, true, false]);
    expect([ref.raisedSkuCount('mch_p', 1.2), ref.raisedSkuCount('mch_p', 1.05), ref.raisedSkuCount('mch_p', 2), ref.raisedSkuCount('mch_q', 1)]).toEqual([2, 3, 1, 0]);
    // The highest rise is kept.
    ref.observe(price({ merchantId: 'mch_p', sku: 'sku_a', priceFen: 1_000, occurredAt: at(DROP + 3 * DAY) }), DROP + 3 * DAY);
    expect(ref.hasRaised('mch_p', 'sku_a', 1.3)).toBe(true);
  });
});
