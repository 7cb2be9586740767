// A replay gives the same answer twice: the simulator's small city replayed twice (into separate
// databases) writes byte-identical decisions.ndjson and flags.json, one decision per claim and
// redemption. Bus partitions interleave differently on each run, so this fails if the rules or
// models see events in delivery order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/replay.ts';
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
  });
});
