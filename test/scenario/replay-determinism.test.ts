// A replay gives the same answer twice: the simulator's small city replayed twice (into separate
// databases) writes byte-identical decisions.ndjson and flags.json, one decision per claim and
// redemption. Bus partitions interleave differently on each run, so this fails if the rules or
// models see events in delivery order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { replayConfig, run, RULES_FLAG_SOURCE } from '../../cli/replay.ts';
import { loadConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/logger.ts';
import { createAnalyticsStore } from '../../ingest/store/analytics-store.ts';
import { MODEL_FLAG_SOURCE } from '../../models/sink/flags-store.ts';
import { simulateToDir } from '../../simulator/simulate.ts';
import { uniqueName } from '../services.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-replay-det-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replay determinism', () => {
  it('writes the same decisions and flags twice, one decision per claim and redemption', async () => {
    const sim = join(dir, 'sim');
    await simulateToDir({ seed: 17, scale: 'small', hmacSecret: 'determinism-test-secret-0123' }, sim);
    const file = join(sim, 'events.ndjson');
    process.env.LOG_LEVEL = 'error';
    const outs: string[] = [];
    for (const n of [1, 2]) {
      process.env.CLICKHOUSE_DATABASE = uniqueName(`qg_det${n}`);
      const out = join(dir, `out${n}`);
      expect(await run([file, '--out', out, '--data', join(dir, 'data')])).toBe(0);
      outs.push(out);
    }
    const read = (out: string, f: string) => readFileSync(join(out, f), 'utf8');
    const decisions = read(outs[0]!, 'decisions.ndjson');
    const decided = decisions.trim().split('\n').map((l) => (JSON.parse(l) as { eventId: string }).eventId);
    const expected = readFileSync(file, 'utf8').split('\n').filter((l) => /"type":"(claim|redemption)"/.test(l)).length;
    expect(decided.length).toBe(expected);
    expect(new Set(decided).size).toBe(expected);
    expect(read(outs[1]!, 'decisions.ndjson')).toBe(decisions);
    expect(read(outs[1]!, 'flags.json')).toBe(read(outs[0]!, 'flags.json'));

    // Rules and model flags both reach flags_v1 (the triage queue and dashboards read it), the same
    // entities flags.json lists. The second run's database is still the configured one.
    const key = (f: { entityType: string; entityId: string; fraudType: string }) => `${f.entityType}|${f.entityId}|${f.fraudType}`;
    const listed = new Set((JSON.parse(read(outs[1]!, 'flags.json')) as { flags: Array<{ entityType: string; entityId: string; fraudType: string }> }).flags.map(key));
    const modelKeys = new Set((JSON.parse(read(outs[1]!, 'model-flags.json')) as { flags: Array<{ entityType: string; entityId: string; fraudType: string }> }).flags.map(key));
    const store = createAnalyticsStore(replayConfig(loadConfig(), join(dir, 'data')).clickhouse, silentLogger);
    try {
      const row = z.object({ source: z.string(), entityType: z.string(), entityId: z.string(), fraudType: z.string() });
      const stored = await store.query('SELECT toString(source) AS source, toString(entityType) AS entityType, entityId, toString(fraudType) AS fraudType FROM {{db}}.flags_v1 FINAL', {}, row);
      const rulesKeys = new Set(stored.filter((f) => f.source === RULES_FLAG_SOURCE).map(key));
      expect(rulesKeys.size).toBeGreaterThan(0);
      expect(new Set(stored.filter((f) => f.source === MODEL_FLAG_SOURCE).map(key))).toEqual(modelKeys);
      // flags.json lists the rules' flags first and adds the models' new ones: together, the same set.
      expect(new Set([...rulesKeys, ...modelKeys])).toEqual(listed);
      for (const k of listed) if (!modelKeys.has(k)) expect(rulesKeys.has(k), k).toBe(true);
    } finally {
      await store.close();
    }
    // Two replays of a small city: a minute on a quiet machine, several under a shared one's load.
  }, 600_000);
});
