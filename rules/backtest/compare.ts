// Runs the same history through the live rule set and a candidate, each on its own fresh feature
// state, and counts per rule how often each hit and how many decisions changed.
import type { QuanguardEvent } from '../../core/events.ts';
import type { CompiledRuleset } from '../engine/compile.ts';
import { memoryEngine } from '../engine/engine.ts';
import type { Evaluation } from '../engine/evaluate.ts';

export interface RuleComparison {
  rule: string;
  hitsLive: number;
  hitsCandidate: number;
}

export interface BacktestReport {
  live: string;
  candidate: string;
  events: number;
  decisions: number;
  decisionsChanged: number;
  /** from→to counts, e.g. "allow→review". */
  transitions: Record<string, number>;
  byDecision: { live: Record<string, number>; candidate: Record<string, number> };
  rules: RuleComparison[];
}

export async function backtest(events: Iterable<QuanguardEvent>, live: CompiledRuleset, candidate: CompiledRuleset): Promise<BacktestReport> {
  const hits = new Map<string, { live: number; candidate: number }>();
  const count = (ev: Evaluation, side: 'live' | 'candidate') => {
    for (const r of ev.runs) {
      let h = hits.get(r.rule.def.id);
      if (!h) hits.set(r.rule.def.id, (h = { live: 0, candidate: 0 }));
      if (r.outcome === 'hit') h[side]++;
    }
  };
  const a = memoryEngine(live, { idSeed: 1 });
  const b = memoryEngine(candidate, { idSeed: 1 });
  const report: BacktestReport = { live: live.version, candidate: candidate.version, events: 0, decisions: 0, decisionsChanged: 0, transitions: {}, byDecision: { live: {}, candidate: {} }, rules: [] };
  for (const r of [...live.rules, ...candidate.rules]) if (!hits.has(r.def.id)) hits.set(r.def.id, { live: 0, candidate: 0 });
  for (const e of events) {
    report.events++;
    const [pa, pb] = [await a.process(e), await b.process(e)];
    if (pa.evaluation) count(pa.evaluation, 'live');
    if (pb.evaluation) count(pb.evaluation, 'candidate');
    if (pa.decision && pb.decision) {
      report.decisions++;
      const x = pa.decision.decision, y = pb.decision.decision;
      report.byDecision.live[x] = (report.byDecision.live[x] ?? 0) + 1;
      report.byDecision.candidate[y] = (report.byDecision.candidate[y] ?? 0) + 1;
      if (x !== y) {
        report.decisionsChanged++;
        report.transitions[`${x}→${y}`] = (report.transitions[`${x}→${y}`] ?? 0) + 1;
      }
    }
  }
  report.rules = [...hits].map(([rule, h]) => ({ rule, hitsLive: h.live, hitsCandidate: h.candidate })).sort((p, q) => p.rule.localeCompare(q.rule));
  return report;
}

export function formatBacktest(r: BacktestReport): string {
  const lines = [
    `backtest: ${r.events} events, ${r.decisions} decisions; live ${r.live} vs candidate ${r.candidate}: ${r.decisionsChanged} decisions changed`,
    ...Object.entries(r.transitions).sort((p, q) => q[1] - p[1]).map(([t, n]) => `  ${t.padEnd(22)} ${n}`),
    `${'rule'.padEnd(36)} ${'hits live'.padStart(10)} ${'candidate'.padStart(10)} ${'change'.padStart(8)}`,
    ...r.rules.map((x) => `${x.rule.padEnd(36)} ${String(x.hitsLive).padStart(10)} ${String(x.hitsCandidate).padStart(10)} ${String(x.hitsCandidate - x.hitsLive).padStart(8)}`),
  ];
  return lines.join('\n') + '\n';
}
