// `quanguard rules-run` writes what RulesProcessor writes for the file's valid events, and refuses
// bad arguments with exit code 2.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEventLine, type QuanguardEvent } from '../core/events.ts';
import { RulesProcessor } from '../rules/replay-processor.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { run } from './rules-run.ts';

const FIXTURE = 'fixtures/replay-small.ndjson';
const dir = mkdtempSync(join(tmpdir(), 'qg-rules-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quanguard rules-run', () => {
  it('writes the decisions and flags RulesProcessor gives for the valid events, in file order', async () => {
    const out = join(dir, 'out');
    expect(await run([FIXTURE, '--out', out, '--ruleset', 'v2'])).toBe(0);
    const events: QuanguardEvent[] = [];
    for (const line of readFileSync(FIXTURE, 'utf8').split('\n')) {
      const p = line.trim() ? parseEventLine(line) : undefined;
      if (p?.ok) events.push(p.event);
    }
    const ref = new RulesProcessor({ ruleset: loadRuleset('v2') });
    await ref.process(events);
    const refOut = join(dir, 'ref');
    await ref.finish(refOut);
    const decisions = readFileSync(join(out, 'decisions.ndjson'), 'utf8');
    expect(decisions.trim().split('\n').length).toBeGreaterThan(50);
    expect(decisions).toBe(readFileSync(join(refOut, 'decisions.ndjson'), 'utf8'));
    expect(readFileSync(join(out, 'flags.json'), 'utf8')).toBe(readFileSync(join(refOut, 'flags.json'), 'utf8'));
  });

  it('refuses a missing file, a missing --out and an unknown rule set', async () => {
    expect(await run([join(dir, 'nope.ndjson'), '--out', join(dir, 'x')])).toBe(2);
    expect(await run([FIXTURE])).toBe(2);
    expect(await run([FIXTURE, '--out', join(dir, 'y'), '--ruleset', 'v99'])).toBe(2);
    expect(await run([FIXTURE, '--out', join(dir, 'y'), '--ruleset', 'latest'])).toBe(2);
  });
});
