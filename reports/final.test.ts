// The campaign's final report over a real store (embedded chdb, or a server when CLICKHOUSE_URL is
// set): events go in through the ingester's row mapping, the rollup is kept by the views.
import { afterEach, describe, expect, it } from 'vitest';
import type { QuanguardEvent } from '../core/events.ts';
import { eventRow, EVENT_TABLES } from '../ingest/store/rows.ts';
import { chTime } from '../ingest/store/time.ts';
import { openTestStore, type TestStore } from '../ingest/testing/store.ts';
import { at, campaign, claim, DROP, merchant, redemption, refund } from '../rules/testing/events.ts';
import { CampaignNotFound, finalReport, finalReportQuerySchema, formatFinalReport } from './final.ts';

let store: TestStore | undefined;
afterEach(async () => {
  await store?.dispose();
  store = undefined;
});

async function put(s: TestStore, events: QuanguardEvent[]): Promise<void> {
  for (const type of ['campaign.published', 'merchant.registered', 'claim', 'redemption', 'refund'] as const) {
    const rows = events.filter((e) => e.type === type).map(eventRow);
    if (rows.length) await s.insert(EVENT_TABLES[type], rows);
  }
}

const decision = (eventId: string, eventType: string, d: string, ms: number, shadow = 0) =>
  ({ decisionId: `dec_${eventId}_${shadow}`, eventId, eventType, occurredAt: chTime(ms), decision: d, score: d === 'allow' ? 0 : 90, reasons: [], rulesetVersion: 'v2', shadow, explanation: '[]' });

describe('finalReport', () => {
  it('sums the whole campaign by district, category and day, counts people once, and reports what the risk side withheld', async () => {
    store = await openTestStore();
    const c1 = claim({ userId: 'usr_1' }), c2 = claim({ userId: 'usr_2' }), c3 = claim({ userId: 'usr_2' }), other = claim({ userId: 'usr_9', campaignId: 'cmp_other' });
    const r1 = redemption({ userId: 'usr_1', merchantId: 'mch_a', orderFen: 15_000, orderId: 'ord_1' });
    const r2 = redemption({ userId: 'usr_2', merchantId: 'mch_b', orderFen: 30_000, discountFen: 5_000, occurredAt: at(DROP + 86_400_000) });
    const r3 = redemption({ userId: 'usr_2', merchantId: 'mch_b', orderFen: 10_100, discountFen: 3_000, occurredAt: at(DROP + 86_400_000 + 60_000) });
    await put(store, [
      campaign({ campaignId: 'cmp_t', name: '连云港消费券', budgetFen: 100_000 }),
      campaign({ campaignId: 'cmp_other', budgetFen: 5_000 }),
      merchant({ merchantId: 'mch_a', name: 'A 超市', district: 'haizhou', category: 'supermarket' }),
      merchant({ merchantId: 'mch_b', name: 'B 餐厅', district: 'ganyu', category: 'dining' }),
      c1, c2, c3, other, r1, r2, r3,
      refund({ merchantId: 'mch_a', orderId: 'ord_1', userId: 'usr_1', refundFen: 15_000, couponReturned: true, occurredAt: at(DROP + 2 * 3_600_000) }),
    ]);
    await store.insert('decisions_v1', [
      decision(c1.eventId, 'claim', 'allow', DROP), decision(c2.eventId, 'claim', 'allow', DROP), decision(c3.eventId, 'claim', 'review', DROP),
      decision(other.eventId, 'claim', 'block', DROP),
      decision(r1.eventId, 'redemption', 'allow', DROP), decision(r2.eventId, 'redemption', 'intercept', DROP), decision(r3.eventId, 'redemption', 'block', DROP),
      // A shadow decision does not count.
      decision(r1.eventId, 'redemption', 'block', DROP, 1),
    ]);
    await store.insert('flags_v1', [
      { entityType: 'merchant', entityId: 'mch_b', fraudType: 'cash_out', score: 0.93, reasons: ['CASHOUT.THRESHOLD_HUG'], members: ['usr_2'], source: 'rules', createdAt: chTime(DROP + 86_400_000) },
      { entityType: 'user', entityId: 'usr_2', fraudType: 'cash_out', score: 0.8, reasons: ['RING.MEMBER'], members: [], source: 'rules', createdAt: chTime(DROP + 86_400_000) },
    ]);
    await store.insert('inspections_v1', [
      { inspectionId: 'insp_1', merchantId: 'mch_b', result: 'no_issue', fraudType: '', note: '', inspector: 'field-1', inspectedAt: chTime(DROP + 2 * 86_400_000) },
      { inspectionId: 'insp_2', merchantId: 'mch_b', result: 'confirmed', fraudType: 'cash_out', note: 'till slips', inspector: 'field-2', inspectedAt: chTime(DROP + 3 * 86_400_000) },
    ]);

    const r = await finalReport(store, { campaignId: 'cmp_t' });
    expect(r).toMatchObject({ campaignId: 'cmp_t', name: '连云港消费券', budgetFen: 100_000 });
    expect(r.totals).toEqual({ claims: 3, redemptions: 3, orderFen: 55_100, discountFen: 13_000, refunds: 1, refundFen: 15_000, leverage: 4.24, budgetUsed: 0.13, redemptionRate: 1 });
    expect(r.byDistrict.map((d) => [d.district, d.redemptions, d.orderFen, d.discountFen])).toEqual([['ganyu', 2, 40_100, 8_000], ['haizhou', 1, 15_000, 5_000]]);
    expect(r.byCategory.map((c) => [c.category, c.redemptions])).toEqual([['dining', 2], ['supermarket', 1]]);
    expect(r.byDay.map((d) => [d.day, d.claims, d.redemptions])).toEqual([['2026-05-01', 3, 1], ['2026-05-02', 0, 2]]);
    expect(r.participation).toEqual({ claimants: 2, redeemers: 2, merchants: 2 });
    expect(r.risk.decisions).toEqual([
      { eventType: 'claim', decision: 'allow', count: 2 },
      { eventType: 'claim', decision: 'review', count: 1 },
      { eventType: 'redemption', decision: 'allow', count: 1 },
      { eventType: 'redemption', decision: 'block', count: 1 },
      { eventType: 'redemption', decision: 'intercept', count: 1 },
    ]);
    expect(r.risk.withheld).toEqual({ redemptions: 2, discountFen: 8_000 });
    expect(r.risk.flaggedMerchants).toEqual([{ merchantId: 'mch_b', name: 'B 餐厅', district: 'ganyu', fraudType: 'cash_out', score: 0.93, redemptions: 2, discountFen: 8_000, lastInspection: expect.stringMatching(/^confirmed 2026-05-04 02:00:00/) }]);
    expect(r.risk.inspections).toEqual([{ result: 'confirmed', count: 1 }]);
    const text = formatFinalReport(r);
    expect(text).toContain('3 claimed by 2 people, 3 redeemed (100.0%)');
    expect(text).toContain('subsidy withheld by intercept and block decisions: 80.00 yuan on 2 redemptions');
    // No personal data: account ids are counted, never listed.
    expect(text).not.toContain('usr_');
  });

  it('refuses a malformed campaign id and names an unknown one', async () => {
    store = await openTestStore();
    expect(finalReportQuerySchema.safeParse({ campaignId: 'nope' }).success).toBe(false);
    await expect(finalReport(store, { campaignId: 'cmp_missing' })).rejects.toBeInstanceOf(CampaignNotFound);
  });
});
