// Triage queue and inspection lists over a real store: flags from several detectors merge into one
// case, reviews change a case's status and stay in its history, inspected merchants leave the list
// until they are flagged again.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { eventRow } from '../ingest/store/rows.ts';
import { chTime } from '../ingest/store/time.ts';
import { openTestStore, type TestStore } from '../ingest/testing/store.ts';
import { DROP, merchant, redemption } from '../rules/testing/events.ts';
import { caseIdOf, getCase, inspectionCsv, inspectionList, queueQuerySchema, recordInspection, reviewCase, reviewSchema, triageQueue } from './queue.ts';

let store: TestStore | undefined;
afterEach(async () => {
  await store?.dispose();
  store = undefined;
});

const HOUR = 3_600_000;
const flag = (fraudType: string, entityType: string, entityId: string, score: number, source: string, atMs: number, members: string[] = [], reasons = ['R.' + source.toUpperCase()]) =>
  ({ entityType, entityId, fraudType, score, reasons, members, source, createdAt: chTime(atMs) });

async function seed(): Promise<TestStore> {
  const s = await openTestStore();
  await s.insert('merchants_v1', [
    eventRow(merchant({ merchantId: 'mch_a', name: '海州烟酒店', district: 'haizhou', category: 'retail' })),
    eventRow(merchant({ merchantId: 'mch_b', name: 'Ganyu "Grill", north', district: 'ganyu', category: 'dining' })),
    eventRow(merchant({ merchantId: 'mch_c', name: 'shop c', district: 'haizhou', category: 'supermarket' })),
  ]);
  await s.insert('redemptions_v1', [eventRow(redemption({ merchantId: 'mch_a', discountFen: 5_000 })), eventRow(redemption({ merchantId: 'mch_a', discountFen: 3_000 }))]);
  await s.insert('flags_v1', [
    flag('cash_out', 'merchant', 'mch_a', 0.7, 'models', DROP),
    flag('cash_out', 'merchant', 'mch_a', 0.9, 'rules', DROP + HOUR),
    flag('bot_claiming', 'ring', 'ring_1', 0.8, 'models', DROP, ['usr_1', 'usr_2', 'usr_3']),
    flag('subsidy_fraud', 'ring', 'ring_2', 0.6, 'models', DROP, ['usr_4', 'mch_b']),
    flag('price_gouging', 'merchant', 'mch_c', 0.95, 'models', DROP),
  ]);
  return s;
}

describe('triage queue', () => {
  it('merges detectors into one case per entity and type, highest risk first', async () => {
    store = await seed();
    const q = await triageQueue(store, {});
    expect(q.total).toBe(4);
    expect(q.truncated).toBe(false);
    expect(q.cases.map((c) => [c.entityId, c.fraudType, c.score, c.status])).toEqual([
      ['mch_c', 'price_gouging', 0.95, 'open'],
      ['mch_a', 'cash_out', 0.9, 'open'],
      ['ring_1', 'bot_claiming', 0.8, 'open'],
      ['ring_2', 'subsidy_fraud', 0.6, 'open'],
    ]);
    const a = q.cases[1]!;
    expect(a.caseId).toBe(caseIdOf('cash_out', 'merchant', 'mch_a'));
    expect(a.sources).toEqual(['models', 'rules']);
    expect(a.reasons.sort()).toEqual(['R.MODELS', 'R.RULES']);
    expect((await triageQueue(store, { fraudType: 'bot_claiming' })).cases.map((c) => c.entityId)).toEqual(['ring_1']);
    expect((await triageQueue(store, { entityType: 'merchant', limit: 1, offset: 1 })).cases.map((c) => c.entityId)).toEqual(['mch_a']);
  });

  it('a review changes the status, keeps the history, and survives a re-flag', async () => {
    store = await seed();
    const clock = new ManualClock(DROP + 2 * HOUR);
    const id = caseIdOf('bot_claiming', 'ring', 'ring_1');
    const first = await reviewCase(store, clock, id, reviewSchema.parse({ status: 'escalated', note: 'same devices as last week', reviewer: 'analyst wang' }), 'analyst');
    expect(first?.reviewId).toMatch(/^rvw_/);
    clock.advance(60_000);
    await reviewCase(store, clock, id, reviewSchema.parse({ status: 'confirmed', note: 'device farm confirmed', reviewer: 'analyst li' }), 'analyst');
    await store.insert('flags_v1', [flag('bot_claiming', 'ring', 'ring_1', 0.85, 'models', DROP + 3 * HOUR, ['usr_1', 'usr_2', 'usr_3', 'usr_5'])]);

    expect((await triageQueue(store, {})).cases.map((c) => c.entityId)).toEqual(['mch_c', 'mch_a', 'ring_2']);
    const confirmed = await triageQueue(store, { status: 'confirmed' });
    expect(confirmed.cases.map((c) => [c.entityId, c.members.length, c.lastReview?.reviewer])).toEqual([['ring_1', 4, 'analyst li']]);
    const detail = await getCase(store, id);
    expect(detail?.reviews.map((r) => [r.status, r.reviewer, r.role])).toEqual([['escalated', 'analyst wang', 'analyst'], ['confirmed', 'analyst li', 'analyst']]);
    expect(await reviewCase(store, clock, caseIdOf('cash_out', 'merchant', 'mch_nobody'), { status: 'dismissed', note: 'nothing here', reviewer: 'x' }, 'analyst')).toBeNull();
  });

  it('names the field and the reason for bad filters and reviews', () => {
    expect(queueQuerySchema.safeParse({ status: 'closed' }).error?.issues[0]?.path).toEqual(['status']);
    expect(queueQuerySchema.safeParse({ limit: '1000' }).error?.issues[0]?.message).toBe('must be at most 500');
    expect(queueQuerySchema.safeParse({ limit: 'ten' }).error?.issues[0]?.path).toEqual(['limit']);
    expect(reviewSchema.safeParse({ status: 'confirmed', note: '', reviewer: 'x' }).error?.issues[0]?.path).toEqual(['note']);
    expect(reviewSchema.safeParse({ status: 'confirmed', note: 'fine', reviewer: '' }).error?.issues[0]?.path).toEqual(['reviewer']);
  });
});

describe('inspection list', () => {
  it('lists merchants behind open cases by district then risk, and drops them once inspected until re-flagged', async () => {
    store = await seed();
    const clock = new ManualClock(DROP + 2 * HOUR);
    let list = await inspectionList(store, {});
    expect(list.map((t) => [t.district, t.merchantId, t.score])).toEqual([
      ['ganyu', 'mch_b', 0.6],
      ['haizhou', 'mch_c', 0.95],
      ['haizhou', 'mch_a', 0.9],
    ]);
    expect(list.find((t) => t.merchantId === 'mch_a')).toMatchObject({ name: '海州烟酒店', fraudTypes: ['cash_out'], redemptions: 2, discountFen: 8_000, lastInspection: null });
    expect((await inspectionList(store, { district: 'ganyu' })).map((t) => t.merchantId)).toEqual(['mch_b']);

    // Dismissing mch_c's case takes it off; inspecting mch_a takes it off until a newer flag.
    await reviewCase(store, clock, caseIdOf('price_gouging', 'merchant', 'mch_c'), { status: 'dismissed', note: 'menu prices checked, seasonal', reviewer: 'analyst li' }, 'analyst');
    const done = await recordInspection(store, clock, { merchantId: 'mch_a', result: 'fraud_confirmed', fraudType: 'cash_out', note: 'no goods on the shelves', inspector: 'team 3' });
    expect(done.inspectionId).toMatch(/^insp_/);
    list = await inspectionList(store, {});
    expect(list.map((t) => t.merchantId)).toEqual(['mch_b']);
    await store.insert('flags_v1', [flag('cash_out', 'merchant', 'mch_a', 0.92, 'models', DROP + 5 * HOUR)]);
    list = await inspectionList(store, {});
    expect(list.find((t) => t.merchantId === 'mch_a')?.lastInspection).toMatchObject({ result: 'fraud_confirmed', inspector: 'team 3' });

    const csv = inspectionCsv(list);
    expect(csv.startsWith('\uFEFFdistrict,merchantId,name')).toBe(true);
    expect(csv).toContain('"Ganyu ""Grill"", north"');
    expect(csv).toContain('海州烟酒店');
    expect(csv).toContain(',80.00,');
  });
});
