// The decision record the engine hands its sink. The explanation (every rule's outcome and observed
// value) is stored as JSON in decisions_v1; building it as an array of objects and then running
// JSON.stringify over it cost ~25 µs per decision on the decision API's thread, so the JSON text is
// written directly here, once, when the decision is made (the rule runs are not kept: the engine
// reuses them). Its text is exactly what JSON.stringify gave for the array (record.test.ts); the
// array itself is parsed back from it only when someone reads `explanation` (tests, memory sinks).
import type { Claim, Redemption } from '../../core/events.ts';
import type { DecisionRecord, RuleExplanation } from '../sink/types.ts';
import type { CompiledRule } from './compile.ts';
import type { Evaluation, RuleRun } from './evaluate.ts';

const ruleHead = new WeakMap<CompiledRule, string>();
const outcomeText = new Map<string, string>();

/** JSON.stringify(runs.map(r => ({ rule, outcome, observed, reason?, error? }))), written directly. */
export function explanationJson(runs: readonly RuleRun[]): string {
  let s = '[';
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i]!;
    let head = ruleHead.get(r.rule);
    if (head === undefined) ruleHead.set(r.rule, (head = `{"rule":${JSON.stringify(r.rule.key)},"outcome":`));
    let o = outcomeText.get(r.outcome);
    if (o === undefined) outcomeText.set(r.outcome, (o = JSON.stringify(r.outcome)));
    if (i > 0) s += ',';
    s += head + o;
    // JSON.stringify leaves out an undefined property and writes null for NaN and ±Infinity.
    if (r.observed !== undefined) s += ',"observed":' + (r.observed === null || !Number.isFinite(r.observed) ? 'null' : String(r.observed));
    if (r.reason) s += ',"reason":' + JSON.stringify(r.reason);
    if (r.error) s += ',"error":' + JSON.stringify(r.error);
    s += '}';
  }
  return s + ']';
}

export class EngineDecisionRecord implements DecisionRecord {
  readonly eventId: string;
  readonly eventType: 'claim' | 'redemption';
  readonly decision: DecisionRecord['decision'];
  readonly score: number;
  readonly reasons: string[];
  readonly rulesetVersion: string;
  readonly explanationJson: string;
  private parsed: RuleExplanation[] | undefined;

  constructor(e: Claim | Redemption, readonly occurredAtMs: number, readonly decisionId: string, ev: Evaluation, readonly shadow: boolean) {
    this.eventId = e.eventId;
    this.eventType = e.type;
    this.decision = ev.decision;
    this.score = ev.score;
    this.reasons = ev.reasons;
    this.rulesetVersion = ev.rulesetVersion;
    this.explanationJson = explanationJson(ev.runs);
  }

  get explanation(): RuleExplanation[] {
    return (this.parsed ??= JSON.parse(this.explanationJson) as RuleExplanation[]);
  }
}
