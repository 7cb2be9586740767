// A restarted engine that warms up from the store decides the next events exactly as an engine that
// never stopped, and every stored claim and redemption ends up with exactly one stored decision,
// including those stored just before a "crash" and never decided.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEventLine, type QuanguardEvent } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { openTestStore, type TestStore } from '../ingest/testing/store.ts';
import { EVENT_TABLES, eventRow } from '../ingest/store/rows.ts';
import { simulate } from '../simulator/simulate.ts';
import { memoryEngine } from './engine/engine.ts';
import { eventTimeMs } from './engine/event-time.ts';
import { loadRuleset } from './ruleset/load.ts';
import { MemoryDecisionSink } from './sink/types.ts';
import { StoreDecisionSink } from './sink/store-sink.ts';
import { WarmStartGate, warmStart, warmStartWindowMs } from './warm-start.ts';

const RANK: Record<string, number> = { 'campaign.published': 0, 'merchant.registered': 1, 'eligibility.granted': 2, 'price.observed': 3, claim: 4, redemption: 5, refund: 6 };
const byTime = (a: QuanguardEvent, b: QuanguardEvent) =>
  eventTimeMs(a.occurredAt) - eventTimeMs(b.occurredAt) || RANK[a.type]! - RANK[b.type]! || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
const decided = (e: QuanguardEvent) => e.type === 'claim' || e.type === 'redemption';

describe('rules warm start from the store', () => {
  const spill = mkdtempSync(join(tmpdir(), 'qg-warm-'));
  let store: TestStore;
  let events: QuanguardEvent[];
  beforeAll(async () => {
    store = await openTestStore();
    const sim = await simulate({ seed: 21, scale: 'small', users: 1500, merchants: 120, hmacSecret: 'warm-start-test-secret-0123456789', spillDir: spill });
    events = [];
    for (const chunk of sim.chunks())
      for (const line of chunk.toString('utf8').split('\n')) {
        const p = line.trim() ? parseEventLine(line) : undefined;
        if (p?.ok) events.push(p.event);
      }
    events.sort(byTime);
  }, 120_000);
  afterAll(async () => {
    await store?.dispose();
    rmSync(spill, { recursive: true, force: true });
  });

  it('refills the windows and decides what a crash left undecided, once', async () => {
    const ruleset = loadRuleset();
    const activity = events.filter(decided);
    expect(activity.length).toBeGreaterThan(1000);
    // The "crash" comes 70% into the claims and redemptions; the last 40 before it were stored
    // but never decided.
    const cut = eventTimeMs(activity[Math.floor(activity.length * 0.7)]!.occurredAt);
    const before = events.filter((e) => eventTimeMs(e.occurredAt) < cut);
    const after = events.filter((e) => eventTimeMs(e.occurredAt) >= cut);
    const beforeActivity = before.filter(decided);
    const undecided = new Set(beforeActivity.slice(-40).map((e) => e.eventId));

    const byTable = new Map<string, Record<string, unknown>[]>();
    for (const e of before) (byTable.get(EVENT_TABLES[e.type]) ?? byTable.set(EVENT_TABLES[e.type], []).get(EVENT_TABLES[e.type])!).push(eventRow(e));
    for (const [table, rows] of byTable) await store.insert(table, rows);
    const first = memoryEngine(ruleset, { idSeed: 1, sink: new StoreDecisionSink(store, { maxRows: 100_000 }) });
    for (const e of before) if (!undecided.has(e.eventId)) await first.process(e);
    await first.close();

    // The engine that never stopped, for comparison.
    const continuous = memoryEngine(ruleset, { idSeed: 2, sink: new MemoryDecisionSink() });
    for (const e of before) await continuous.process(e);

    const gate = new WarmStartGate(new StoreDecisionSink(store, { maxRows: 100_000 }));
    const restarted = memoryEngine(ruleset, { idSeed: 3, sink: gate });
    const result = await warmStart({ engine: restarted, store, gate, rulesets: [ruleset], nowMs: cut - 1, logger: silentLogger, sliceMs: 3 * 86_400_000 });
    expect(warmStartWindowMs([ruleset])).toBe(30 * 86_400_000);
    expect(result.decidedNow).toBe(40);
    expect(result.alreadyDecided).toBe(beforeActivity.length - 40);
    expect(result.rejected).toBe(0);

    const rows = await store.query('SELECT eventId, count() AS n FROM {{db}}.decisions_v1 WHERE shadow = 0 GROUP BY eventId', {}, z.object({ eventId: z.string(), n: z.coerce.number() }));
    expect(rows.length).toBe(beforeActivity.length);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);

    // From here on both engines see the same events and must decide alike.
    let compared = 0, differ = 0, notAllow = 0;
    for (const e of after) {
      const a = await continuous.process(e);
      const b = await restarted.process(e);
      if (!a.decision) continue;
      compared++;
      if (a.decision.decision !== 'allow') notAllow++;
      if (a.decision.decision !== b.decision!.decision || a.decision.score !== b.decision!.score || a.decision.reasons.join() !== b.decision!.reasons.join()) differ++;
    }
    expect(compared).toBe(after.filter(decided).length);
    expect(notAllow).toBeGreaterThan(0);
    expect(differ).toBe(0);
  }, 180_000);

  it('without a warm start the restarted engine decides differently (the windows matter)', async () => {
    const ruleset = loadRuleset();
    const activity = events.filter(decided);
    const cut = eventTimeMs(activity[Math.floor(activity.length * 0.7)]!.occurredAt);
    const continuous = memoryEngine(ruleset, { idSeed: 2 });
    const cold = memoryEngine(ruleset, { idSeed: 3 });
    let differ = 0;
    for (const e of events) {
      const t = eventTimeMs(e.occurredAt);
      const a = await continuous.process(e);
      // The cold engine knows the reference data (shops, campaigns, winners, prices) but no activity before the cut.
      if (t < cut && decided(e)) continue;
      if (t < cut && e.type === 'refund') continue;
      const b = await cold.process(e);
      if (t >= cut && a.decision && (a.decision.decision !== b.decision!.decision || a.decision.score !== b.decision!.score)) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  }, 180_000);

  it('on an empty store reads nothing and decides nothing', async () => {
    const empty = await openTestStore();
    try {
      const ruleset = loadRuleset();
      const sink = new MemoryDecisionSink();
      const gate = new WarmStartGate(sink);
      const result = await warmStart({ engine: memoryEngine(ruleset, { sink: gate }), store: empty, gate, rulesets: [ruleset], nowMs: Date.parse('2026-11-26T10:00:00+08:00'), logger: silentLogger });
      expect(result).toMatchObject({ referenceEvents: 0, windowEvents: 0, decidedNow: 0, alreadyDecided: 0 });
      expect(sink.records).toEqual([]);
    } finally {
      await empty.dispose();
    }
  });
});
