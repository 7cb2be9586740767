import { describe, expect, it } from 'vitest';
import { at, campaign, claim, DROP, merchant, redemption, refund } from '../../testing/events.ts';
import { evaluateRule } from '../../testing/rule-harness.ts';
import cardAcrossHouseholds from './card-across-households.ts';
import lateHour from './late-hour.ts';
import payerFar from './payer-far.ts';
import refundAfterRedemption from './refund-after-redemption.ts';
import shareAbovePeers from './share-above-peers.ts';
import thresholdHugging from './threshold-hugging.ts';

const before = [campaign(), merchant()];

describe('cash-out rules', () => {
  // Claims place each account at home; earlier redemptions put accounts on the card.
  const home = (userId: string, lat: number) => claim({ userId, lat, lon: 119.2, occurredAt: at(DROP + 1000) });
  const paid = (userId: string) => redemption({ userId, cardHash: 'c'.repeat(64), occurredAt: at(DROP + 60_000) });
  it.each([
    ['CASH_OUT.CARD_ACROSS_HOUSEHOLDS when the card paid for an account living 5 km away', [home('usr_t', 34.6), home('usr_b', 34.645), paid('usr_b')], 'hit', 2],
    ['no hit for a family card: both accounts claim from one home', [home('usr_t', 34.6), home('usr_b', 34.6002), paid('usr_b')], 'no_hit', 1],
    ['no hit for a card only this account uses', [home('usr_t', 34.6), paid('usr_t')], 'no_hit', 1],
    ['nothing measured when no payer has a known home', [paid('usr_b')], 'no_hit', null],
  ])('%s', (_n, history, outcome, observed) => {
    const r = evaluateRule(cardAcrossHouseholds, { atLeast: 2, apartKm: 1 }, redemption({ userId: 'usr_t', cardHash: 'c'.repeat(64) }), { before: [...before, ...history] });
    expect(r).toMatchObject({ outcome, observed });
  });

  it.each([
    ['CASH_OUT.THRESHOLD_HUGGING when most of the week hugs the threshold', 14, 20, 'hit', 0.7],
    ['no hit at an ordinary share', 3, 20, 'no_hit', 0.15],
    ['no observed share below the minimum volume', 5, 5, 'no_hit', null],
  ])('%s', (_n, hugs, n, outcome, observed) => {
    const r = evaluateRule(thresholdHugging, { hugs: 'h', redemptions: 'n', minRedemptions: 10, minShare: 0.6, slackPct: 12 }, redemption({ orderFen: 10_100 }), { features: { h: hugs, n }, before });
    expect(r).toMatchObject({ outcome, observed });
  });

  it('ignores threshold hugging on a no-threshold coupon', () => {
    const r = evaluateRule(thresholdHugging, { hugs: 'h', redemptions: 'n', minRedemptions: 1, minShare: 0.1, slackPct: 12 }, redemption({ couponTypeId: 'cpt_nt_20', orderFen: 3000, discountFen: 2000 }), { features: { h: 9, n: 10 }, before });
    expect(r.outcome).toBe('no_hit');
  });

  it.each([
    ['CASH_OUT.PAYER_FAR for a payer 40 km away', 34.95, 119.2, 'hit'],
    ['no hit for a payer at the counter', 34.6001, 119.2001, 'no_hit'],
  ])('%s', (_n, lat, lon, outcome) => {
    expect(evaluateRule(payerFar, { maxKm: 15 }, redemption({ lat, lon }), { before }).outcome).toBe(outcome);
  });

  it.each([
    ['CASH_OUT.LATE_HOUR at 03:10 CST', '2026-05-02T03:10:00.000+08:00', 'hit', 3],
    ['no hit at 19:30 CST', '2026-05-02T19:30:00.000+08:00', 'no_hit', 19],
    ['reads the hour in CST whatever the offset', '2026-05-01T19:10:00.000Z', 'hit', 3],
  ])('%s', (_n, occurredAt, outcome, observed) => {
    expect(evaluateRule(lateHour, { fromHour: 1, toHour: 6, exemptCategories: ['lodging'] }, redemption({ occurredAt }), { before })).toMatchObject({ outcome, observed });
  });

  it('CASH_OUT.REFUND_AFTER_REDEMPTION when a coupon order is refunded within hours, coupon kept', () => {
    const r0 = redemption({ orderId: 'ord_1', occurredAt: at(DROP + 3_600_000) });
    const r = evaluateRule(refundAfterRedemption, { withinHours: 72, countReturnedCoupons: false }, refund({ orderId: 'ord_1', occurredAt: at(DROP + 5 * 3_600_000) }), { before: [...before, r0] });
    expect(r).toMatchObject({ outcome: 'hit', observed: 4 });
  });

  it('no hit for a refund that returned the coupon, or of an order without one', () => {
    const r0 = redemption({ orderId: 'ord_2' });
    expect(evaluateRule(refundAfterRedemption, { withinHours: 72, countReturnedCoupons: false }, refund({ orderId: 'ord_2', couponReturned: true }), { before: [...before, r0] }).outcome).toBe('no_hit');
    expect(evaluateRule(refundAfterRedemption, { withinHours: 72, countReturnedCoupons: false }, refund({ orderId: 'ord_none' }), { before }).outcome).toBe('no_hit');
  });

  it('CASH_OUT.PEER_SHARE for a shop far busier than its category and district', () => {
    const peers = ['mch_a', 'mch_b', 'mch_c', 'mch_d'].map((id) => merchant({ merchantId: id }));
    const history = [
      ...peers.flatMap((p) => Array.from({ length: 3 }, () => redemption({ merchantId: p.merchantId }))),
      ...Array.from({ length: 40 }, () => redemption({ merchantId: 'mch_t' })),
    ];
    const r = evaluateRule(shareAbovePeers, { minPeers: 4, minRedemptions: 30, minRatio: 4 }, redemption({ merchantId: 'mch_t' }), { before: [...before, ...peers, ...history] });
    expect(r.outcome).toBe('hit');
    expect(r.observed).toBeGreaterThanOrEqual(10);
  });
});
