// The decision sink over embedded ClickHouse whose child process is SIGKILLed while the sink's
// timed flush is in flight: the child is restarted (ingest/store/chdb-worker.ts), the sink keeps
// the block and sends it again by itself, with no later decision to trigger it, and every decision
// is in decisions_v1 once (a ReplacingMergeTree: a block that had landed before the kill and was
// sent again replaces itself under FINAL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../core/logger.ts';
import { uniqueName, waitFor } from '../../test/services.ts';
import { createAnalyticsStore } from '../../ingest/store/analytics-store.ts';
import { chdbChildPid, chdbHostStatus } from '../../ingest/store/chdb-worker.ts';
import { StoreDecisionSink } from './store-sink.ts';
import type { DecisionRecord } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-sink-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rec = (i: number): DecisionRecord => ({
  decisionId: `dec_${i}`, eventId: `evt_${String(i).padStart(6, '0')}`, eventType: 'claim', occurredAtMs: Date.parse('2026-05-01T10:00:00.040+08:00') + i, decision: i % 3 ? 'allow' : 'review', score: i % 100,
  reasons: i % 3 ? [] : ['BOT.CLAIM_LATENCY'], rulesetVersion: 'v1', shadow: false, explanation: [{ rule: 'bot.claim_latency@1', outcome: i % 3 ? 'no_hit' : 'hit', observed: i, reason: 'BOT.CLAIM_LATENCY' }],
});

it('stores every decision once when the ClickHouse child dies during a timed flush, without a later write', async () => {
  const path = join(dir, 'clickhouse');
  const store = createAnalyticsStore({ embeddedPath: path, database: uniqueName('qg_sink_restart'), thread: 'process' }, silentLogger);
  try {
    await store.migrate();
    const N = 8_000;
    const sink = new StoreDecisionSink(store, { maxRows: 10_000, maxDelayMs: 20 });
    await sink.write(Array.from({ length: N }, (_, i) => rec(i)));
    // The timer's flush is the only store call: kill the child while it holds that insert.
    await waitFor(() => chdbHostStatus('process', path)!.callsInFlight > 0, { intervalMs: 1, what: 'the flush in flight' });
    const killed = chdbChildPid(path)!;
    process.kill(killed, 'SIGKILL');
    const counts = z.object({ n: z.number(), ids: z.number() });
    const stored = async () => (await store.query('SELECT count() AS n, uniqExact(eventId) AS ids FROM {{db}}.decisions_v1 FINAL', {}, counts))[0]!;
    await waitFor(async () => (await stored()).ids === N, { timeoutMs: 60_000, what: `all ${N} decisions stored` });
    expect(await stored()).toEqual({ n: N, ids: N });
    expect(chdbChildPid(path)).not.toBe(killed);
    await sink.flush();
  } finally {
    await store.close();
  }
});
