// `quanguard rules-run` writes what RulesProcessor writes for the file's valid events, and refuses
// bad arguments with exit code 2.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEventLine, type QuanguardEvent } from '../core/events.ts';
import { RulesProcessor } from '../rules/replay-processor.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { silentLogger } from '../core/logger.ts';
import { readModelFile } from '../models/model-file.ts';
import { createModelProcessor } from '../models/processor.ts';
import { simulateToDir } from '../simulator/simulate.ts';
import { run } from './rules-run.ts';

/** The file's valid events, each eventId once (what a replay hands the processors). */
function validOnce(file: string): QuanguardEvent[] {
  const seen = new Set<string>();
  const events: QuanguardEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const p = line.trim() ? parseEventLine(line) : undefined;
    if (p?.ok && !seen.has(p.event.eventId)) {
      seen.add(p.event.eventId);
      events.push(p.event);
    }
  }
  return events;
}

const FIXTURE = 'fixtures/replay-small.ndjson';
const dir = mkdtempSync(join(tmpdir(), 'qg-rules-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quanguard rules-run', () => {
  it('writes the decisions and flags RulesProcessor gives for the valid events, in file order', async () => {
    const out = join(dir, 'out');
    expect(await run([FIXTURE, '--out', out, '--ruleset', 'v2'])).toBe(0);
    const events = validOnce(FIXTURE);
    const ref = new RulesProcessor({ ruleset: loadRuleset('v2') });
    await ref.process(events);
    const refOut = join(dir, 'ref');
    await ref.finish(refOut);
    const decisions = readFileSync(join(out, 'decisions.ndjson'), 'utf8');
    expect(decisions.trim().split('\n').length).toBeGreaterThan(50);
    expect(decisions).toBe(readFileSync(join(refOut, 'decisions.ndjson'), 'utf8'));
    expect(readFileSync(join(out, 'flags.json'), 'utf8')).toBe(readFileSync(join(refOut, 'flags.json'), 'utf8'));
  });

  it('with --models adds the model processor\'s flags to flags.json, as a replay does', async () => {
    // A small simulated campaign (the fixture holds no ring for the models to find).
    const sim = join(dir, 'sim');
    await simulateToDir({ seed: 8, scale: 'small', users: 1200, merchants: 100, hmacSecret: 'rules-run-test-secret-0123456789' }, sim);
    const file = join(sim, 'events.ndjson');
    const out = join(dir, 'with-models');
    expect(await run([file, '--out', out, '--models'])).toBe(0);
    const rulesOut = join(dir, 'sim-rules');
    expect(await run([file, '--out', rulesOut])).toBe(0);
    const events = validOnce(file);
    const rules = new RulesProcessor({ ruleset: loadRuleset() });
    const models = createModelProcessor({ forest: readModelFile(), logger: silentLogger });
    await rules.process(events);
    await models.process(events);
    const refOut = join(dir, 'with-models-ref');
    await rules.finish(refOut);
    await models.finish!(refOut);
    const flags = readFileSync(join(out, 'flags.json'), 'utf8');
    expect(flags).toBe(readFileSync(join(refOut, 'flags.json'), 'utf8'));
    expect(readFileSync(join(out, 'model-flags.json'), 'utf8')).toBe(readFileSync(join(refOut, 'model-flags.json'), 'utf8'));
    // The models found something the rules alone did not put in flags.json.
    const rulesOnly = JSON.parse(readFileSync(join(rulesOut, 'flags.json'), 'utf8')) as { flags: unknown[] };
    expect((JSON.parse(flags) as { flags: unknown[] }).flags.length).toBeGreaterThan(rulesOnly.flags.length);
  }, 120_000);

  it('refuses a missing file, a missing --out and an unknown rule set', async () => {
    expect(await run([join(dir, 'nope.ndjson'), '--out', join(dir, 'x')])).toBe(2);
    expect(await run([FIXTURE])).toBe(2);
    expect(await run([FIXTURE, '--out', join(dir, 'y'), '--ruleset', 'v99'])).toBe(2);
    expect(await run([FIXTURE, '--out', join(dir, 'y'), '--ruleset', 'latest'])).toBe(2);
    expect(await run([FIXTURE, '--out', join(dir, 'y'), '--models=yes'])).toBe(2);
  });
});
