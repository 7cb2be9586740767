import { describe, expect, it } from 'vitest';
import { at, campaign, DROP, merchant, price, redemption } from '../testing/events.ts';
import { evaluateRule } from '../testing/rule-harness.ts';
import resellableQuantity from './hoarding/resellable-quantity.ts';
import aboveBaseline from './price_gouging/above-baseline.ts';
import abovePeers from './price_gouging/above-peers.ts';
import merchantRegisteredLate from './subsidy_fraud/merchant-registered-late.ts';
import splitOrders from './subsidy_fraud/split-orders.ts';
import linkedPayers from './subsidy_fraud/linked-payers.ts';
import type { EligibilityGranted } from '../../core/events.ts';

const before = [campaign(), merchant()];
const DAY = 86_400_000;

describe('hoarding rules', () => {
  const cfg = { skuKeywords: ['茅台', 'prepaid'], minUnits: 4 };
  it.each([
    ['HOARDING.RESELLABLE_QTY for six bottles of Moutai', [{ sku: 'sku_liquor_mt', qty: 6, unitPriceFen: 249_900 }], 'hit', 6],
    ['counts units across resellable lines by SKU code', [{ sku: 'sku_prepaid_500', qty: 2, unitPriceFen: 50_000 }, { sku: 'sku_liquor_mt', qty: 2, unitPriceFen: 249_900 }], 'hit', 4],
    ['no hit for a family dinner bottle', [{ sku: 'sku_liquor_mt', qty: 1, unitPriceFen: 249_900 }, { sku: 'sku_rice', qty: 3, unitPriceFen: 3_900 }], 'no_hit', 1],
  ])('%s', (_n, items, outcome, observed) => {
    const named = [...before, price({ sku: 'sku_liquor_mt', name: '飞天茅台 53度 500ml' })];
    expect(evaluateRule(resellableQuantity, cfg, redemption({ items }), { before: named })).toMatchObject({ outcome, observed });
  });
});

describe('subsidy fraud rules', () => {
  it.each([
    ['SUBSIDY.NEW_MERCHANT for a shop enrolled two days before the start', DROP - 2 * DAY, 'hit'],
    ['no hit for a shop enrolled a month before', DROP - 30 * DAY, 'no_hit'],
  ])('%s', (_n, registered, outcome) => {
    const r = evaluateRule(merchantRegisteredLate, { withinDays: 5 }, redemption(), { before: [campaign(), merchant({ occurredAt: at(registered) })] });
    expect(r.outcome).toBe(outcome);
  });

  it.each([
    ['SUBSIDY.SPLIT_ORDER for a second order just over the threshold within the hour', 10_200, 2, 'hit'],
    ['no hit for an order well over the threshold', 18_000, 2, 'no_hit'],
    ['no hit for the first order', 10_200, 1, 'no_hit'],
  ])('%s', (_n, orderFen, pair, outcome) => {
    const r = evaluateRule(splitOrders, { pairRedemptions: 'p', atLeast: 2, maxOverThresholdPct: 10 }, redemption({ orderFen }), { features: { p: pair }, before });
    expect(r.outcome).toBe(outcome);
  });
});

describe('subsidy.linked_payers', () => {
  const grant = (userId: string, idHash: string, phoneHash: string): EligibilityGranted => ({
    eventId: `evt_g_${userId}`, type: 'eligibility.granted', occurredAt: at(DROP - DAY), campaignId: 'cmp_t', userId, idHash: idHash.repeat(64), phoneHash: phoneHash.repeat(64),
  });
  const cfg = { idAccountsAtLeast: 3, phoneAccountsAtLeast: 2 };
  it.each([
    ['SUBSIDY.LINKED_PAYER when the payer shares a phone number with another account', [grant('usr_t', 'a', '1'), grant('usr_b', 'b', '1')], 'hit', 2],
    ['SUBSIDY.LINKED_PAYER when three accounts carry one ID', [grant('usr_t', 'a', '1'), grant('usr_b', 'a', '2'), grant('usr_c', 'a', '3')], 'hit', 3],
    ['no hit for an ID shared by two accounts only', [grant('usr_t', 'a', '1'), grant('usr_b', 'a', '2')], 'no_hit', 2],
    ['no hit for a payer alone on its ID and phone', [grant('usr_t', 'a', '1'), grant('usr_b', 'b', '2')], 'no_hit', 1],
    ['no hit, nothing measured, for an account never granted', [grant('usr_b', 'b', '2')], 'no_hit', null],
    ['a winner granted twice is still one account', [grant('usr_t', 'a', '1'), grant('usr_t', 'a', '1')], 'no_hit', 1],
  ])('%s', (_n, grants, outcome, observed) => {
    expect(evaluateRule(linkedPayers, cfg, redemption(), { before: [...before, ...grants] })).toMatchObject({ outcome, observed });
  });
});

describe('price gouging rules', () => {
  const history = [
    ...before,
    price({ sku: 'sku_rice', priceFen: 3_900, occurredAt: at(DROP - 10 * DAY) }),
    price({ sku: 'sku_oil', priceFen: 9_900, occurredAt: at(DROP - 10 * DAY) }),
    // The menu published two hours before the start already carries the rise: the baseline must
    // still be the price in force earlier in the 7-day window.
    price({ sku: 'sku_rice', priceFen: 5_000, source: 'menu', occurredAt: at(DROP - 2 * 3_600_000) }),
  ];
  it('PRICE.ABOVE_BASELINE when several SKUs are sold above the lowest price of the 7 days before', () => {
    const e = redemption({ items: [{ sku: 'sku_rice', qty: 1, unitPriceFen: 5_000 }, { sku: 'sku_oil', qty: 1, unitPriceFen: 12_900 }], orderFen: 17_900 });
    expect(evaluateRule(aboveBaseline, { minRatio: 1.08, minSkus: 2 }, e, { before: history })).toMatchObject({ outcome: 'hit', observed: 2 });
  });
  it('no hit for one seasonal rise', () => {
    const e = redemption({ items: [{ sku: 'sku_rice', qty: 1, unitPriceFen: 5_000 }, { sku: 'sku_oil', qty: 1, unitPriceFen: 9_900 }], orderFen: 14_900 });
    expect(evaluateRule(aboveBaseline, { minRatio: 1.08, minSkus: 2 }, e, { before: history })).toMatchObject({ outcome: 'no_hit', observed: 1 });
  });
  it('PRICE.ABOVE_PEERS when a SKU costs far more than the median elsewhere', () => {
    const peers = ['a', 'b', 'c', 'd'].map((m) => price({ merchantId: `mch_${m}`, sku: 'sku_oil', priceFen: 9_900, source: 'pos', occurredAt: at(DROP + DAY) }));
    const e = price({ sku: 'sku_oil', priceFen: 14_900, source: 'pos', occurredAt: at(DROP + 2 * DAY) });
    expect(evaluateRule(abovePeers, { minRatio: 1.35, minPeers: 4 }, e, { before: [...before, ...peers] })).toMatchObject({ outcome: 'hit', observed: 1.505 });
  });
});
