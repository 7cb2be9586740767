// Every decision the API answers is stored: decisions posted over HTTP, many at once, through the
// engine's decision sink into decisions_v1 of the analytics store as `quanguard start` wires it
// (embedded ClickHouse where the service runs it, a child process by default; the suite also runs
// against a server when CLICKHOUSE_URL is set). Small slices and a short delay make the sink flush
// often while requests are still arriving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../core/logger.ts';
import { openTestStore, type TestStore } from '../ingest/testing/store.ts';
import { memoryEngine } from '../rules/engine/engine.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { StoreDecisionSink } from '../rules/sink/store-sink.ts';
import { at, campaign, claim, DROP, merchant, redemption } from '../rules/testing/events.ts';
import { createApp } from './app.ts';
import { decisionRoutes } from './decision-routes.ts';
import { serve, type Served } from './testing/serve.ts';

let store: TestStore;
let served: Served;
let sink: StoreDecisionSink;

beforeAll(async () => {
  store = await openTestStore();
  sink = new StoreDecisionSink(store, { maxRows: 150, maxDelayMs: 5, sliceRows: 40, logger: silentLogger });
  const engine = memoryEngine(loadRuleset('v1'), { sink });
  await engine.process(campaign());
  await engine.process(merchant());
  served = await serve(createApp({ modules: [decisionRoutes({ decider: engine })], logger: silentLogger }));
});
afterAll(async () => {
  await served?.close();
  await store?.dispose();
});

describe('decision API with decisions stored', () => {
  it('stores every answered decision once, with the answer it gave', async () => {
    const events = Array.from({ length: 1200 }, (_, i) =>
      i % 3 === 0
        ? redemption({ userId: `usr_s${i % 97}`, lat: 34.6, lon: 119.2, occurredAt: at(DROP + 3_600_000 + i * 1000) })
        : claim({ userId: `usr_s${i % 97}`, ip: `47.104.${i % 7}.${i % 251}`, occurredAt: at(DROP + 30_000 + i * 250) }),
    );
    const answers: { eventId: string; decisionId: string; decision: string; score: number }[] = [];
    // 40 requests in flight at a time, as many callers would send them.
    for (let from = 0; from < events.length; from += 40) {
      const batch = await Promise.all(
        events.slice(from, from + 40).map(async (e) => {
          const res = await fetch(`${served.base}/v1/decisions/${e.type}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(e) });
          expect(res.status).toBe(200);
          return (await res.json()) as (typeof answers)[number];
        }),
      );
      answers.push(...batch);
    }
    await sink.flush();
    const stored = await store.query(
      'SELECT decisionId, eventId, decision, score FROM {{db}}.decisions_v1 WHERE shadow = 0 ORDER BY decisionId',
      {},
      z.object({ decisionId: z.string(), eventId: z.string(), decision: z.string(), score: z.number() }),
    );
    const byDecision = (a: { decisionId: string }, b: { decisionId: string }) => (a.decisionId < b.decisionId ? -1 : a.decisionId > b.decisionId ? 1 : 0);
    expect(stored).toHaveLength(events.length);
    expect(stored).toEqual(answers.map((a) => ({ decisionId: a.decisionId, eventId: a.eventId, decision: a.decision, score: a.score })).sort(byDecision));
    expect(new Set(stored.map((r) => r.eventId)).size).toBe(events.length);
    // Not all allow: the stored answers are the engine's real range, not one constant.
    expect(new Set(stored.map((r) => r.decision)).size).toBeGreaterThan(1);
  });
});
