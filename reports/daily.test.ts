// The T+1 report over a real store (embedded chdb, or a server when CLICKHOUSE_URL is set): events
// go in through the same row mapping the ingester uses, the rollup is kept by the materialized
// views, and the report must count by China Standard Time days.
import { afterEach, describe, expect, it } from 'vitest';
import { eventRow, EVENT_TABLES } from '../ingest/store/rows.ts';
import { chTime } from '../ingest/store/time.ts';
import { openTestStore, type TestStore } from '../ingest/testing/store.ts';
import type { QuanguardEvent } from '../core/events.ts';
import { at, campaign, claim, DROP, merchant, redemption, refund } from '../rules/testing/events.ts';
import { cstDayBounds, dailyReport, formatDailyReport, reportQuerySchema, yuan } from './daily.ts';

let store: TestStore | undefined;
afterEach(async () => {
  await store?.dispose();
  store = undefined;
});

async function put(s: TestStore, events: QuanguardEvent[]): Promise<void> {
  // One insert per table, merchants first so the rollup views find their district and category.
  const order = ['campaign.published', 'merchant.registered', 'claim', 'redemption', 'refund'];
  for (const type of order) {
    const rows = events.filter((e) => e.type === type).map(eventRow);
    if (rows.length) await s.insert(EVENT_TABLES[type as QuanguardEvent['type']], rows);
  }
}

const HOUR = 3_600_000;

describe('dailyReport', () => {
  it('counts one CST day per district and category, with running totals against the budget', async () => {
    store = await openTestStore();
    const late = redemption({ merchantId: 'mch_a', orderFen: 12_000, occurredAt: at(Date.parse('2026-05-01T23:30:00+08:00')) });
    const nextDay = redemption({ merchantId: 'mch_a', orderFen: 20_000, occurredAt: at(Date.parse('2026-05-02T00:30:00+08:00')) });
    await put(store, [
      campaign({ campaignId: 'cmp_t', budgetFen: 100_000 }),
      merchant({ merchantId: 'mch_a', district: 'haizhou', category: 'supermarket' }),
      merchant({ merchantId: 'mch_b', district: 'ganyu', category: 'dining' }),
      claim({ userId: 'usr_1' }),
      claim({ userId: 'usr_2' }),
      claim({ userId: 'usr_3' }),
      redemption({ merchantId: 'mch_a', orderFen: 15_000, orderId: 'ord_1' }),
      redemption({ merchantId: 'mch_b', orderFen: 30_000, discountFen: 5_000, occurredAt: at(DROP + 2 * HOUR) }),
      late,
      nextDay,
      refund({ merchantId: 'mch_a', orderId: 'ord_1', refundFen: 15_000, couponReturned: true, occurredAt: at(DROP + 3 * HOUR) }),
    ]);
    await store.insert('decisions_v1', [
      { decisionId: 'dec_1', eventId: 'evt_d1', eventType: 'claim', occurredAt: chTime(DROP + 60_000), decision: 'block', score: 90, reasons: ['BOT.CLAIM_LATENCY', 'BOT.ACCOUNTS_PER_DEVICE'], rulesetVersion: 'v1', shadow: 0, explanation: '[]' },
      { decisionId: 'dec_2', eventId: 'evt_d2', eventType: 'claim', occurredAt: chTime(DROP + 61_000), decision: 'allow', score: 0, reasons: [], rulesetVersion: 'v1', shadow: 0, explanation: '[]' },
      { decisionId: 'dec_3', eventId: 'evt_d3', eventType: 'redemption', occurredAt: chTime(DROP + HOUR), decision: 'review', score: 40, reasons: ['BOT.CLAIM_LATENCY'], rulesetVersion: 'v1', shadow: 0, explanation: '[]' },
      // A shadow rule set's decision and one of the next CST day do not count.
      { decisionId: 'dec_4', eventId: 'evt_d3', eventType: 'redemption', occurredAt: chTime(DROP + HOUR), decision: 'block', score: 99, reasons: ['X.SHADOW'], rulesetVersion: 'v2', shadow: 1, explanation: '[]' },
      { decisionId: 'dec_5', eventId: 'evt_d5', eventType: 'claim', occurredAt: chTime(Date.parse('2026-05-02T00:10:00+08:00')), decision: 'block', score: 99, reasons: ['X.NEXT_DAY'], rulesetVersion: 'v1', shadow: 0, explanation: '[]' },
    ]);
    await store.insert('flags_v1', [
      { entityType: 'merchant', entityId: 'mch_a', fraudType: 'cash_out', score: 0.9, reasons: ['MODEL.MERCHANT_RISK'], members: [], source: 'forest', createdAt: chTime(DROP + 5 * HOUR) },
      { entityType: 'merchant', entityId: 'mch_a', fraudType: 'cash_out', score: 0.95, reasons: ['MODEL.MERCHANT_RISK'], members: [], source: 'forest', createdAt: chTime(DROP + 6 * HOUR) },
      { entityType: 'user', entityId: 'usr_9', fraudType: 'bot_claiming', score: 0.9, reasons: ['RING.BOT_FARM'], members: ['usr_9'], source: 'rings', createdAt: chTime(Date.parse('2026-05-03T10:00:00+08:00')) },
    ]);

    const r = await dailyReport(store, { day: '2026-05-01' });
    expect(r.dayTotal).toEqual({ claims: 3, redemptions: 3, orderFen: 57_000, discountFen: 15_000, refunds: 1, refundFen: 15_000, leverage: 3.8 });
    const place = (d: string, c: string) => r.byPlace.find((p) => p.district === d && p.category === c);
    expect(place('haizhou', 'supermarket')).toMatchObject({ redemptions: 2, orderFen: 27_000, discountFen: 10_000, refunds: 1, refundFen: 15_000, leverage: 2.7 });
    expect(place('ganyu', 'dining')).toMatchObject({ redemptions: 1, orderFen: 30_000, leverage: 6 });
    expect(place('', '')).toMatchObject({ campaignId: 'cmp_t', claims: 3, redemptions: 0 });
    expect(r.toDate).toEqual([{ campaignId: 'cmp_t', name: 'test', claims: 3, redemptions: 3, orderFen: 57_000, discountFen: 15_000, refunds: 1, refundFen: 15_000, budgetFen: 100_000, budgetUsed: 0.15, redemptionRate: 1, leverage: 3.8 }]);
    expect(r.risk.decisions).toEqual([
      { eventType: 'claim', decision: 'allow', count: 1 },
      { eventType: 'claim', decision: 'block', count: 1 },
      { eventType: 'redemption', decision: 'review', count: 1 },
    ]);
    expect(r.risk.topReasons).toEqual([{ reason: 'BOT.CLAIM_LATENCY', count: 2 }, { reason: 'BOT.ACCOUNTS_PER_DEVICE', count: 1 }]);
    expect(r.risk.flags).toEqual([{ fraudType: 'cash_out', entityType: 'merchant', count: 1 }]);

    // The next CST day holds the 00:30 redemption only; running totals include both days.
    const next = await dailyReport(store, { day: '2026-05-02' });
    expect(next.dayTotal).toMatchObject({ claims: 0, redemptions: 1, orderFen: 20_000 });
    expect(next.toDate[0]).toMatchObject({ redemptions: 4, orderFen: 77_000, discountFen: 20_000, budgetUsed: 0.2 });
    expect(next.risk.decisions).toEqual([{ eventType: 'claim', decision: 'block', count: 1 }]);

    const text = formatDailyReport(r);
    expect(text).toContain('T+1 report for 2026-05-01');
    expect(text).toContain('spending 570.00 yuan on 150.00 yuan of subsidy (leverage 3.8)');
    expect(text).toContain('budget 1,000.00 (15.0%)');
  });

  it('filters by campaign and answers empty days with zeros', async () => {
    store = await openTestStore();
    await put(store, [campaign({ campaignId: 'cmp_a' }), campaign({ campaignId: 'cmp_b', name: 'lodging' }), claim({ campaignId: 'cmp_a' }), claim({ campaignId: 'cmp_b' }), claim({ campaignId: 'cmp_b' })]);
    const b = await dailyReport(store, { day: '2026-05-01', campaignId: 'cmp_b' });
    expect(b.dayTotal.claims).toBe(2);
    expect(b.toDate.map((c) => [c.campaignId, c.name, c.claims, c.redemptionRate])).toEqual([['cmp_b', 'lodging', 2, 0]]);
    const empty = await dailyReport(store, { day: '2026-04-01' });
    expect(empty.dayTotal).toEqual({ claims: 0, redemptions: 0, orderFen: 0, discountFen: 0, refunds: 0, refundFen: 0, leverage: null });
    expect(empty.byPlace).toEqual([]);
  });
});

describe('report query and helpers', () => {
  it('names the field and the reason for a bad day or campaign', () => {
    const bad = reportQuerySchema.safeParse({ day: '2026-13-45' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['day']);
    expect(reportQuerySchema.safeParse({ day: '2026-02-30' }).error?.issues[0]?.message).toBe('is not a calendar day');
    expect(reportQuerySchema.safeParse({ day: '2026-02-28' }).success).toBe(true);
    expect(reportQuerySchema.safeParse({ day: '01/05/2026' }).error?.issues[0]?.message).toMatch(/YYYY-MM-DD/);
    expect(reportQuerySchema.safeParse({ day: '2026-05-01', campaignId: "x'; DROP TABLE" }).error?.issues[0]?.path).toEqual(['campaignId']);
  });

  it('bounds a CST day in UTC and prints fen as yuan', () => {
    expect(cstDayBounds('2026-05-01')).toEqual({ from: '2026-04-30 16:00:00.000', to: '2026-05-01 16:00:00.000' });
    expect(yuan(0)).toBe('0.00');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(123_456_789)).toBe('1,234,567.89');
    expect(yuan(-250)).toBe('-2.50');
  });
});
