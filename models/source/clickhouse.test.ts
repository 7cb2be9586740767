// The store-backed window must equal the one built from the same events in memory, so the models
// see the same thing in `npm start` as in replay and tests.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toCstIso } from '../../core/clock.ts';
import type { CampaignPublished, QuanguardEvent } from '../../core/events.ts';
import { Rng } from '../../core/rng.ts';
import { eventRow, EVENT_TABLES } from '../../ingest/store/rows.ts';
import { generateEvents } from '../../ingest/testing/events.ts';
import { openTestStore, type TestStore } from '../../ingest/testing/store.ts';
import { ManualClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { createModelScheduler } from '../scheduler.ts';
import { writeFlags } from '../sink/flags-store.ts';
import { farmEvents, FARM_T0 } from '../testing/farm-events.ts';
import { windowFromEvents } from '../window-builder.ts';
import { loadWindow } from './clickhouse.ts';

let store: TestStore | undefined;
afterEach(async () => {
  await store?.dispose();
  store = undefined;
});

const START = Date.parse('2026-01-23T10:00:00.000+08:00');

function campaign(): CampaignPublished {
  return {
    eventId: 'evt_campaign', type: 'campaign.published', occurredAt: toCstIso(START - 86_400_000), campaignId: 'cmp_lyg2026spring', name: 'spring',
    startsAt: toCstIso(START - 3_600_000), endsAt: toCstIso(START + 30 * 86_400_000), budgetFen: 1_000_000_00,
    batches: ['bat_01', 'bat_02', 'bat_03', 'bat_04'].map((batchId, i) => ({
      batchId, dropAt: toCstIso(START + i * 3_600_000), validUntil: toCstIso(START + 20 * 86_400_000),
      coupons: [
        { couponTypeId: 'cpt_dining50', kind: 'threshold' as const, thresholdFen: 10_000, discountFen: 5_000, quantity: 100, categories: ['dining' as const] },
        { couponTypeId: 'cpt_retail100', kind: 'threshold' as const, thresholdFen: 30_000, discountFen: 10_000, quantity: 100, categories: ['retail' as const] },
        { couponTypeId: 'cpt_super30', kind: 'no_threshold' as const, thresholdFen: 0, discountFen: 3_000, quantity: 100, categories: ['supermarket' as const] },
      ],
    })),
    limits: { perPerson: 4, perPersonPerType: 2, perPersonPerBatch: 1 }, refundPolicy: 'never_return',
  };
}

async function load(s: TestStore, events: QuanguardEvent[]): Promise<void> {
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const e of events) {
    const t = EVENT_TABLES[e.type];
    (byTable.get(t) ?? byTable.set(t, []).get(t)!).push(eventRow(e));
  }
  for (const [t, rows] of byTable) await s.insert(t, rows);
}

describe('ClickHouse window source', () => {
  it('reads the same window the in-memory builder makes, and collapses an event stored twice', async () => {
    store = await openTestStore();
    const events: QuanguardEvent[] = [campaign(), ...generateEvents(new Rng(11), 3_000, { merchants: 40, users: 400, startMs: START })];
    events.push({ eventId: 'evt_price_1', type: 'price.observed', occurredAt: toCstIso(START - 3 * 86_400_000), merchantId: 'mch_000001', sku: 'noodles', priceFen: 1_200, source: 'menu' });
    await load(store, events);
    await load(store, events.filter((e) => e.type === 'claim').slice(0, 50)); // redelivered rows
    const fromStore = await loadWindow(store, { fromMs: START - 86_400_000, toMs: START + 86_400_000 });
    const inMemory = windowFromEvents(events);
    const byKey = <T>(rows: T[], key: (r: T) => string) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    expect(fromStore.claims.length).toBe(inMemory.claims.length);
    expect(byKey(fromStore.claims, (c) => `${c.atMs}|${c.userId}|${c.batchId}`)).toEqual(byKey(inMemory.claims, (c) => `${c.atMs}|${c.userId}|${c.batchId}`));
    expect(byKey(fromStore.redemptions, (r) => r.orderId)).toEqual(byKey(inMemory.redemptions, (r) => r.orderId));
    expect(byKey(fromStore.refunds, (r) => r.orderId)).toEqual(byKey(inMemory.refunds, (r) => r.orderId));
    expect(byKey(fromStore.merchants, (m) => m.merchantId)).toEqual(byKey(inMemory.merchants, (m) => m.merchantId));
    expect(fromStore.prices).toEqual(inMemory.prices);
    expect(fromStore.batches).toEqual(inMemory.batches);
    expect(fromStore.couponTypes).toEqual(inMemory.couponTypes);
  });

  it('refuses a window whose end is not after its start', async () => {
    const never = { query: async () => [] as never[], client: undefined as never, database: 'never' };
    await expect(loadWindow(never, { fromMs: 10, toMs: 10 })).rejects.toThrow(/fromMs < toMs/);
  });

  it('writes flags so a re-run replaces the earlier row', async () => {
    store = await openTestStore();
    const flag = { entityType: 'ring' as const, entityId: 'ring_abc', fraudType: 'bot_claiming' as const, score: 0.7, reasons: ['RING.BOT_FARM.CLAIMS_AT_DROP'], members: ['usr_1', 'usr_2'] };
    await writeFlags(store, [flag], START);
    await writeFlags(store, [{ ...flag, score: 0.9 }], START + 60_000);
    const rows = await store.query('SELECT entityId, score, members FROM {{db}}.flags_v1 FINAL', {}, z.object({ entityId: z.string(), score: z.number(), members: z.array(z.string()) }));
    expect(rows).toEqual([{ entityId: 'ring_abc', score: 0.9, members: ['usr_1', 'usr_2'] }]);
  });

  it('a scheduled run reads the window from the store and writes the farm\'s ring to flags_v1', async () => {
    store = await openTestStore();
    await load(store, farmEvents());
    const s = store;
    const scheduler = createModelScheduler({
      clock: new ManualClock(FARM_T0 + 86_400_000), intervalMs: 60_000, windowMs: 7 * 86_400_000, forest: null, logger: silentLogger,
      loadWindow: (fromMs, toMs) => loadWindow(s, { fromMs, toMs }),
      writeFlags: (flags, at) => writeFlags(s, flags, at),
    });
    await scheduler.runOnce();
    const rows = await store.query("SELECT fraudType, length(members) AS n FROM {{db}}.flags_v1 FINAL WHERE entityType = 'ring'", {}, z.object({ fraudType: z.string(), n: z.number() }));
    expect(rows).toEqual([{ fraudType: 'bot_claiming', n: 12 }]);
  });
});
