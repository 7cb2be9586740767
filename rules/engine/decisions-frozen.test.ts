// Frozen answers: sha256 of every evaluation (decision, score, reasons, each rule's outcome,
// observed value and reason, the feature values) and decision id, for rule sets v1 and v2 over
// the frozen replay fixture and over seeded bench traffic. The hashes were taken with the engine
// before the throughput work of issue 5 (commit 8b9c3d8) and must not move when the engine gets
// faster. A deliberate change of what the rules answer (a new rule set version, a rule fixed)
// changes them: say so in the commit and take the new hashes from this test's message.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchTraffic } from '../../bench/_decide-events.ts';
import { parseEventLine, type QuanguardEvent } from '../../core/events.ts';
import { loadRuleset } from '../ruleset/load.ts';
import { memoryEngine } from './engine.ts';

async function digest(events: QuanguardEvent[], version: string): Promise<string> {
  const h = createHash('sha256');
  const engine = memoryEngine(loadRuleset(version), {
    idSeed: 7,
    onEvaluation: (e, ev, shadow) => {
      h.update(JSON.stringify([e.eventId, shadow, ev.decision, ev.score, ev.reasons, ev.runs.map((r) => [r.rule.key, r.outcome, r.observed, r.reason, r.error]), ev.features]));
    },
  });
  for (const e of events) {
    const p = await engine.process(e);
    if (p.decision) h.update(JSON.stringify(p.decision));
  }
  return h.digest('hex');
}

const fixture = readFileSync(new URL('../../fixtures/replay-small.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .flatMap((l) => {
    // The fixture carries a few broken lines on purpose (ingest's dead letters): skipped here.
    const p = l.trim() ? parseEventLine(l) : undefined;
    return p?.ok ? [p.event] : [];
  });
const traffic = benchTraffic(7, 20_000, { ids: 'short' });

const FROZEN: Record<string, string> = {
  'fixture v1': 'e1578b955fc40f5a7ba660f5aaa76fcb4e69b7e65cc1f322a2cb94f348353d03',
  'fixture v2': 'd9d5bc95b6a0ff4f0b92ffa4f8ff9ca9437e37535123af9808bc64fe31bc286a',
  'bench v1': '1c032febb6632b4b5736f188945303548056b634d523ed650e2352387ff154ed',
  'bench v2': 'e6c8fcd8c793ce94b24b1ffdca9eac38b3c7692a657e86d9570dda7ef5dd7e07',
};

describe('decisions stay what they were', () => {
  for (const version of ['v1', 'v2']) {
    it(`rule set ${version}: the frozen fixture and 20,000 bench events give the frozen answers`, async () => {
      const got = { [`fixture ${version}`]: await digest(fixture, version), [`bench ${version}`]: await digest([...traffic.setup, ...traffic.stream], version) };
      expect(got).toEqual({ [`fixture ${version}`]: FROZEN[`fixture ${version}`], [`bench ${version}`]: FROZEN[`bench ${version}`] });
    }, 120_000);
  }
});
