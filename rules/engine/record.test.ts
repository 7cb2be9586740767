// The explanation JSON the engine writes directly is, byte for byte, what JSON.stringify gave for
// the explanation array before: on every evaluation of 20,000 bench events under both rule sets,
// and on the odd values (NaN, infinities, null, quotes and non-ASCII in errors, empty reasons).
import { describe, expect, it } from 'vitest';
import { benchTraffic } from '../../bench/_decide-events.ts';
import { loadRuleset } from '../ruleset/load.ts';
import type { CompiledRule } from './compile.ts';
import { memoryEngine } from './engine.ts';
import type { RuleRun } from './evaluate.ts';
import { explanationJson } from './record.ts';
import { MemoryDecisionSink } from '../sink/types.ts';

const old = (runs: readonly RuleRun[]) =>
  JSON.stringify(runs.map((r) => ({ rule: r.rule.key, outcome: r.outcome, observed: r.observed, ...(r.reason ? { reason: r.reason } : {}), ...(r.error ? { error: r.error } : {}) })));

describe('explanationJson', () => {
  it('equals JSON.stringify of the explanation array on every evaluation of the bench traffic', async () => {
    const traffic = benchTraffic(5, 20_000);
    for (const version of ['v1', 'v2']) {
      let compared = 0, mismatched = 0;
      const sink = new MemoryDecisionSink();
      const engine = memoryEngine(loadRuleset(version), {
        idSeed: 5,
        sink,
        onEvaluation: (_e, ev) => {
          compared++;
          if (explanationJson(ev.runs) !== old(ev.runs)) mismatched++;
        },
      });
      for (const e of [...traffic.setup, ...traffic.stream]) await engine.process(e);
      expect(compared).toBeGreaterThan(19_000);
      expect(mismatched).toBe(0);
      // The record parses its text back into the array the sink used to get.
      const rec = sink.records.at(-1)!;
      expect(JSON.stringify(rec.explanation)).toBe(rec.explanationJson);
    }
  }, 120_000);

  it('writes the odd values as JSON.stringify does', () => {
    const rule = (key: string) => ({ key }) as unknown as CompiledRule;
    const runs: RuleRun[] = [
      { rule: rule('a@1'), outcome: 'hit', observed: NaN, reason: 'X.Y' },
      { rule: rule('b@1'), outcome: 'no_hit', observed: Infinity },
      { rule: rule('c"q@2'), outcome: 'error', observed: null, error: 'bad "input" 金额\n' },
      { rule: rule('d@1'), outcome: 'snoozed', observed: -0, reason: '' },
      { rule: rule('e@1'), outcome: 'hit', observed: 1e21 },
      { rule: rule('f@1'), outcome: 'hit', observed: 0.1 + 0.2 },
    ];
    expect(explanationJson(runs)).toBe(old(runs));
    expect(explanationJson([])).toBe('[]');
  });
});
