// The rules alone on the simulator's `small` scenario. Rule set v1 was tuned on other seeds (1 and
// a boosted seed 3); this judges it on seed 5. The floors are what v1 reaches there, with margin:
// a change that loses them has made the rules worse.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEventLine, type QuanguardEvent } from '../../core/events.ts';
import { RulesProcessor } from '../../rules/replay-processor.ts';
import { loadRuleset } from '../../rules/ruleset/load.ts';
import { evaluate } from '../../simulator/evaluate.ts';
import { simulate } from '../../simulator/simulate.ts';

const spill = mkdtempSync(join(tmpdir(), 'qg-rules-scenario-'));
afterAll(() => rmSync(spill, { recursive: true, force: true }));

async function events(seed: number) {
  const sim = await simulate({ seed, scale: 'small', hmacSecret: 'scenario-test-secret-0123456789', spillDir: join(spill, String(seed)) });
  const out: QuanguardEvent[] = [];
  let rest = '';
  for (const chunk of sim.chunks()) {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const p = line.trim() ? parseEventLine(line) : undefined;
      if (p?.ok) out.push(p.event);
    }
  }
  const last = rest.trim() ? parseEventLine(rest) : undefined;
  if (last?.ok) out.push(last.event);
  return { events: out, labels: sim.labels };
}

describe('rules on the small scenario (seed 5)', () => {
  it('flags bot claiming, cash-out, hoarding and price gouging with high precision and recall', async () => {
    const { events: all, labels } = await events(5);
    const rules = new RulesProcessor({ ruleset: loadRuleset('v1') });
    for (let i = 0; i < all.length; i += 5000) await rules.process(all.slice(i, i + 5000));
    await rules.finish();
    const report = evaluate(labels, { flags: rules.flags() });
    const by = Object.fromEntries(report.rows.map((r) => [r.fraudType, r]));
    const floors = {
      bot_claiming: { precision: 0.9, recall: 0.85 },
      cash_out: { precision: 0.9, recall: 0.85 },
      hoarding: { precision: 0.9, recall: 0.7 },
      price_gouging: { precision: 0.9, recall: 0.8 },
    } as const;
    for (const [t, f] of Object.entries(floors)) {
      expect(by[t]!.labelled, `${t} labelled`).toBeGreaterThan(0);
      expect(by[t]!.precision, `${t} precision`).toBeGreaterThanOrEqual(f.precision);
      expect(by[t]!.recall, `${t} recall`).toBeGreaterThanOrEqual(f.recall);
    }
    // Legitimate people and shops are almost never flagged.
    expect(report.falsePositiveRate.simulated.rate!).toBeLessThan(0.005);
    // decisions.ndjson has one line per claim and redemption.
    expect(rules.decisionLines().length).toBe(all.filter((e) => e.type === 'claim' || e.type === 'redemption').length);
  });
});
