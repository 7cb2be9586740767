import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { at, campaign, claim, DROP, merchant, price, redemption } from '../testing/events.ts';
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

describe('Reference order capacity', () => {
  it('refuses a maxOrders that could hold no order, naming it', () => {
    for (const maxOrders of [0, -1, 1.5, Number.NaN]) expect(() => new Reference({ maxOrders })).toThrow(/reference: maxOrders must be a whole number of at least 1/);
  });
});

describe('Reference orders against a Map of order ids', () => {
  it('answers as a Map that forgets its oldest order did, on random streams with repeats, long and non-Latin-1 ids', () => {
    const rng = new Rng(5);
    for (const maxOrders of [1, 7, 1500, 5000]) {
      const ref = new Reference({ maxOrders });
      const model = new Map<string, { t: number; discountFen: number }>();
      const idOf = (i: number) => (i % 11 === 0 ? `ord_long_${'x'.repeat(40)}_${i}` : i % 13 === 0 ? `ord_订单_${i}` : `ord_${String(i).padStart(22, '0')}`);
      for (let n = 0; n < 6_000; n++) {
        const orderId = idOf(rng.int(0, 4_000));
        const t = DROP + n, discountFen = rng.int(0, 10_000);
        if (!model.has(orderId)) {
          model.set(orderId, { t, discountFen });
          if (model.size > maxOrders) model.delete(model.keys().next().value!);
        }
        ref.observe(redemption({ orderId, discountFen, merchantId: 'mch_o' }), t);
        const asked = idOf(rng.int(0, 4_000));
        expect(ref.orderRedemption(asked)).toEqual(model.get(asked));
      }
      for (let i = 0; i <= 4_000; i++) expect(ref.orderRedemption(idOf(i))).toEqual(model.get(idOf(i)));
    }
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

/** Card homes as the reference counted them with an object per payer and Math.hypot. */
class CardHomesModel {
  private readonly places = new Map<string, { lat: number; lon: number }>();
  private readonly payers = new Map<string, { userId: string; lat: number; lon: number }[]>();
  claim(userId: string, lat: number, lon: number): void {
    if (!this.places.has(userId)) this.places.set(userId, { lat, lon });
  }
  redeem(userId: string, cardHash: string): void {
    const place = this.places.get(userId);
    if (!place) return;
    const list = this.payers.get(cardHash) ?? [];
    this.payers.set(cardHash, list);
    if (list.length < 8 && !list.some((p) => p.userId === userId)) list.push({ userId, ...place });
  }
  homes(cardHash: string, userId: string, apartKm: number): number | undefined {
    const list = this.payers.get(cardHash) ?? [];
    const own = this.places.get(userId);
    const all = own && !list.some((p) => p.userId === userId) ? [...list, own] : list;
    if (all.length === 0) return undefined;
    const km = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) => Math.hypot((b.lon - a.lon) * Math.cos(((a.lat + b.lat) / 2) * (Math.PI / 180)), b.lat - a.lat) * 111.195;
    const homes: { lat: number; lon: number }[] = [];
    for (const p of all) if (!homes.some((h) => km(h, p) <= apartKm)) homes.push(p);
    return homes.length;
  }
}

describe('Reference card homes', () => {
  it('counts homes among a card\'s payers as the per-payer objects and Math.hypot did, the first eight payers kept', () => {
    const rng = new Rng(9);
    for (let round = 0; round < 40; round++) {
      const ref = new Reference(), model = new CardHomesModel();
      // Few users and cards: cards shared by many payers (past the cap of 8), users on many cards;
      // places on a coarse grid, so some pairs sit exactly at 0 km or at the same distance apart.
      const users = rng.int(2, 30), cards = rng.int(1, 6), step = rng.pick([0.001, 0.009, 0.05]);
      let i = 0;
      for (let n = 0; n < 400; n++) {
        const userId = `usr_${rng.int(0, users - 1)}`, cardHash = `card${rng.int(0, cards - 1)}`, apartKm = rng.pick([0.5, 1, 1.000000001, 3]);
        if (rng.bool(0.4)) {
          const lat = 34.6 + rng.int(0, 20) * step, lon = 119.2 + rng.int(0, 20) * step;
          ref.observe(claim({ userId, lat, lon }), DROP + i++);
          model.claim(userId, lat, lon);
        } else {
          expect(ref.cardPayerHomes(cardHash, userId, apartKm), `round ${round} event ${n}`).toBe(model.homes(cardHash, userId, apartKm));
          ref.observe(redemption({ userId, cardHash, merchantId: 'mch_c' }), DROP + i++);
          model.redeem(userId, cardHash);
        }
      }
    }
  });
});
