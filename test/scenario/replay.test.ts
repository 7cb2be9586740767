// `quanguard replay` end to end through the CLI code path (run(argv)): a fixture file through the
// bus (embedded, or Kafka when KAFKA_BROKERS is set) into the on-disk store, twice.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../core/config.ts';
import { parseEventLine } from '../../core/events.ts';
import { silentLogger } from '../../core/logger.ts';
import { uniqueName } from '../services.ts';
import { replayConfig, run, type ReplaySummary } from '../../cli/replay.ts';
import { createAnalyticsStore } from '../../ingest/store/analytics-store.ts';

const FIXTURE = 'fixtures/replay-small.ndjson';
const dir = mkdtempSync(join(tmpdir(), 'qg-replay-'));
const data = join(dir, 'data');
process.env.CLICKHOUSE_DATABASE = uniqueName('qg_replay');
process.env.LOG_LEVEL = 'error';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectedCounts() {
  const byType: Record<string, number> = {};
  const seen = new Set<string>();
  let bad = 0;
  let repeats = 0;
  for (const line of readFileSync(FIXTURE, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const p = parseEventLine(line);
    if (!p.ok) bad++;
    else if (seen.has(p.event.eventId)) repeats++;
    else {
      seen.add(p.event.eventId);
      byType[p.event.type] = (byType[p.event.type] ?? 0) + 1;
    }
  }
  return { byType, bad, repeats, valid: seen.size };
}

const readSummary = (out: string) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ReplaySummary;

describe('quanguard replay', () => {
  const want = expectedCounts();

  it('stores every valid event once, dead-letters the bad lines and writes summary.json', async () => {
    const out = join(dir, 'out1');
    expect(await run([FIXTURE, '--out', out, '--data', data])).toBe(0);
    const s = readSummary(out);
    expect(s).toMatchObject({ lines: 310, blankLines: 1, published: 309, accepted: want.valid, duplicate: want.repeats, deadLettered: want.bad });
    for (const [type, n] of Object.entries(want.byType)) expect(s.byType[type]?.accepted, type).toBe(n);
    expect(Object.keys(s.deadLetterFields).sort()).toEqual(['(line)', 'occurredAt', 'orderFen', 'paidFen', 'type', 'userId']);

    // The data is on disk: a new store on the same path (a restart) reads it back.
    const store = createAnalyticsStore(replayConfig(loadConfig(), data).clickhouse, silentLogger);
    try {
      const rows = await store.query(
        'SELECT (SELECT count() FROM {{db}}.claims_v1) AS claims, (SELECT count() FROM {{db}}.dead_letters_v1) AS letters, (SELECT sum(redemptions) FROM {{db}}.daily_rollup_v1) AS rolled',
        {},
        z.object({ claims: z.number(), letters: z.number(), rolled: z.number() }),
      );
      expect(rows[0]).toEqual({ claims: want.byType.claim, letters: want.bad, rolled: want.byType.redemption });
    } finally {
      await store.close();
    }
  });

  it('a second replay of the same file stores nothing: every line is a duplicate', async () => {
    const out = join(dir, 'out2');
    expect(await run([FIXTURE, '--out', out, '--data', data])).toBe(0);
    const s = readSummary(out);
    expect(s).toMatchObject({ published: 309, accepted: 0, duplicate: want.valid + want.repeats, deadLettered: 0, deadLetterDuplicate: want.bad });
  });

  it('refuses a missing file and missing arguments with exit code 2', async () => {
    expect(await run([join(dir, 'nope.ndjson')])).toBe(2);
    expect(await run([])).toBe(2);
  });
});
