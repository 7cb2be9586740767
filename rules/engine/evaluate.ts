// One rule set over one event: build the feature ops, read the windows, run each rule in a
// try/catch (a throwing rule is an `error` that adds nothing), score the hits.
import type { QuanguardEvent } from '../../core/events.ts';
import type { Outcome } from '../../core/decision.ts';
import { strongestOutcome } from '../../core/decision.ts';
import { entityHeadOf, entityTailOf, isPairKind, numericOf } from '../features/spec.ts';
import type { FeatureOp } from '../features/store.ts';
import type { ListEntry } from '../lists/types.ts';
import type { Reference } from '../reference/state.ts';
import type { EventFacts, RuleContext, RuleResult } from '../types.ts';
import { SKIPPED } from '../types.ts';
import { outcomeForScore, type CompiledFeature, type CompiledRule, type CompiledRuleset } from './compile.ts';
import { entityFor } from './entities.ts';

export interface RuleRun {
  rule: CompiledRule;
  outcome: RuleResult['outcome'] | 'snoozed';
  observed: number | null;
  reason?: string;
  error?: string;
}

export interface Evaluation {
  rulesetVersion: string;
  decision: Outcome;
  score: number;
  reasons: string[];
  runs: RuleRun[];
  /**
   * The event's feature values by name. On the engine's in-memory path this is one record per
   * rule set refilled by the next event: read it while the event is evaluated or observed.
   */
  features: Record<string, number>;
}

export function factsOf(e: QuanguardEvent, t: number, ref: Reference): EventFacts {
  let thresholdFen: number | null = null;
  let couponDiscountFen: number | null = null;
  let batchDropAt: number | null = null;
  if (e.type === 'claim' || e.type === 'redemption') {
    const c = ref.campaigns.get(e.campaignId);
    const ct = c?.couponTypes.get(e.couponTypeId);
    if (ct) {
      thresholdFen = ct.thresholdFen;
      couponDiscountFen = ct.discountFen;
    }
    if (e.type === 'claim' && c) batchDropAt = c.dropAt.get(e.batchId) ?? null;
  }
  return { t, thresholdFen, couponDiscountFen, batchDropAt };
}

/** The store ops of an event under a rule set, and for each op the feature name it fills (fresh objects: for stores that keep them across an await). */
export function featureOps(rs: CompiledRuleset, e: QuanguardEvent, facts: EventFacts, ref: Reference): { ops: FeatureOp[]; names: string[] } {
  const features = rs.featuresFor.get(e.type) ?? NO_FEATURES;
  const ops: FeatureOp[] = [];
  const slots = new Int32Array(features.length);
  featureOpsInto(rs, e, facts, ref, ops, slots);
  const names: string[] = [];
  for (let j = 0; j < features.length; j++) if (slots[j]! >= 0) names.push(features[j]!.name);
  return { ops, names };
}

const NO_FEATURES: CompiledFeature[] = [];

/**
 * The same ops written into objects the caller keeps and reuses (`pool`, grown as needed), for a
 * synchronous store that is done with them before the next event: no garbage per event. Returns
 * how many ops it wrote; slots[j] is the op of the type's j-th feature, or -1 when the event lacks
 * its entity (what typeRecord's fill reads).
 */
export function featureOpsInto(rs: CompiledRuleset, e: QuanguardEvent, facts: EventFacts, ref: Reference, pool: FeatureOp[], slots: Int32Array): number {
  let n = 0, j = -1;
  // Features of one entity kind sit side by side in a rule set (ip24 feeds four): its key (a
  // slice, or a pair's two parts) is found once for them all.
  let lastKind: string | undefined, entity: string | undefined, tail: string | number | undefined;
  for (const f of rs.featuresFor.get(e.type) ?? NO_FEATURES) {
    j++;
    if (f.spec.entity !== lastKind) {
      lastKind = f.spec.entity;
      if (isPairKind(lastKind)) {
        entity = entityHeadOf(e, f.spec.entity);
        tail = entity === undefined ? undefined : entityTailOf(e, f.spec.entity);
      } else {
        entity = entityFor(e, lastKind as never, ref);
        tail = undefined;
      }
    }
    if (entity === undefined) {
      slots[j] = -1;
      continue;
    }
    slots[j] = n;
    const s = f.spec;
    const op = pool[n] ?? (pool[n] = { ns: '', entity: '', entityTail: undefined, kind: 'sum', bucketMs: 0, buckets: 0, add: NaN, member: undefined, entityKind: undefined, memberKind: undefined });
    op.ns = f.name;
    op.entity = entity;
    op.entityTail = tail;
    op.entityKind = s.entity;
    op.bucketMs = f.bucketMs;
    op.buckets = s.buckets;
    if (s.agg === 'distinct') {
      op.kind = 'distinct';
      op.add = NaN;
      op.member = entityFor(e, s.field as never, ref);
      op.memberKind = s.field;
    } else {
      op.kind = 'sum';
      op.add = s.agg === 'count' ? 1 : numericOf(e, s, facts);
      op.member = undefined;
      op.memberKind = undefined;
    }
    n++;
  }
  return n;
}

/**
 * The feature record of one event type on the engine's reused buffers, written by a function
 * compiled for the type: `features[name] = …` with a name from a variable is a megamorphic keyed
 * store, and a loop of them (clear the last event's, set this one's) cost more than the rules'
 * own reads. Here every feature of the type is written, its value or NaN, with constant keys;
 * features of other types are never written and stay NaN.
 */
export interface TypeRecord {
  record: Record<string, number>;
  /** The op of each of the type's features, or -1 (featureOpsInto's `slots`). */
  slots: Int32Array;
  fill: (record: Record<string, number>, values: Float64Array, slots: Int32Array) => void;
}

export function typeRecord(rs: CompiledRuleset, type: QuanguardEvent['type']): TypeRecord {
  const features = rs.featuresFor.get(type) ?? NO_FEATURES;
  // Feature names are validated by the rule set schema; JSON.stringify quotes them either way.
  const body = features.map((f, j) => `r[${JSON.stringify(f.name)}] = k[${j}] < 0 ? NaN : v[k[${j}]];`).join('\n');
  const fill = new Function('r', 'v', 'k', body) as TypeRecord['fill'];
  return { record: featureRecord(rs, [], new Float64Array(0)), slots: new Int32Array(features.length), fill };
}

// Every feature of a rule set set to NaN, in one fixed key order: spreading it makes each event's
// record with one shape (a fast object copy) instead of growing it key by key.
const templates = new WeakMap<CompiledRuleset, Readonly<Record<string, number>>>();

export function featureRecord(rs: CompiledRuleset, names: readonly string[], values: Float64Array): Record<string, number> {
  let template = templates.get(rs);
  if (template === undefined) {
    const t: Record<string, number> = {};
    for (const f of rs.features) t[f.name] = NaN;
    templates.set(rs, (template = t));
  }
  const out: Record<string, number> = { ...template };
  for (let i = 0; i < names.length; i++) out[names[i]!] = values[i]!;
  return out;
}

/**
 * The explanation (one RuleRun per rule) is built when someone reads `runs` (the decision sink,
 * flags, backtest), not for every decision: until then each rule's own result is kept as it
 * returned it, and only error and snoozed runs, which differ from it, are built on the spot.
 */
class RulesEvaluation implements Evaluation {
  private built: RuleRun[] | undefined;
  constructor(
    readonly rulesetVersion: string,
    readonly decision: Outcome,
    readonly score: number,
    readonly reasons: string[],
    readonly features: Record<string, number>,
    private readonly rules: readonly CompiledRule[],
    private readonly results: RuleResult[],
    private readonly special: (RuleRun | undefined)[] | null,
  ) {}

  get runs(): RuleRun[] {
    if (this.built !== undefined) return this.built;
    const n = this.results.length, runs: RuleRun[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = this.results[i]!;
      runs[i] = this.special?.[i] ?? { rule: this.rules[i]!, outcome: r.outcome, observed: r.observed, reason: r.reason };
    }
    return (this.built = runs);
  }
}

const NO_RULES: CompiledRule[] = [];

export type RulesRunner = (rs: CompiledRuleset, e: QuanguardEvent, features: Record<string, number>, ctx: RuleContext, lists: readonly ListEntry[]) => Evaluation;

export function runRules(
  rs: CompiledRuleset,
  e: QuanguardEvent,
  features: Record<string, number>,
  ctx: RuleContext,
  lists: readonly ListEntry[],
): Evaluation {
  let run = rs.runners.get(e.type);
  if (run === undefined) rs.runners.set(e.type, (run = compileRunner(rs.rulesFor.get(e.type) ?? NO_RULES)));
  return run(rs, e, features, ctx, lists);
}

/**
 * The rules of one event type as one function with a call of its own per rule. A loop over the
 * rules calls ~20 different evaluates from one call site: V8 makes that site megamorphic and
 * inlines none of them. Here each site sees one function, which V8 may inline. Per rule, as a
 * loop would: a try/catch (a throw is an `error` run that adds nothing), a returned `error`
 * counted, a hit snoozed by a list or scored with the rule's weight and reason. The scoring of
 * the sum is `settle`'s, shared.
 */
function compileRunner(rules: readonly CompiledRule[]): RulesRunner {
  const n = rules.length;
  const head: string[] = [], body: string[] = [];
  for (let i = 0; i < n; i++) {
    head.push(`const r${i} = rules[${i}], s${i} = r${i}.specialized;`);
    const call = rules[i]!.specialized !== undefined ? `s${i}(e, f, r${i}.config, ctx)` : `r${i}.def.evaluate(e, f, r${i}.config, ctx)`;
    body.push(`
    let x${i};
    try { x${i} = ${call}; } catch (err) { x${i} = errorResult(); special = failedRun(special, ${n}, ${i}, r${i}, err); }
    o = x${i}.outcome;
    if (o === 'error') errors++;
    else if (o === 'hit') {
      if (lists.length !== 0 && snoozed(lists, r${i}.def.id)) special = snoozedRun(special, ${n}, ${i}, r${i}, x${i});
      else {
        score += r${i}.weight;
        why = x${i}.reason ?? r${i}.def.reason;
        if (hits === 0) first = why; else if (hits === 1) more = [first, why]; else more.push(why);
        hits++;
      }
    }`);
  }
  const results = rules.map((_, i) => `x${i}`).join(', ');
  const source = `${head.join('\n')}
  return function runCompiledRules(rs, e, f, ctx, lists) {
    let score = 0, errors = 0, hits = 0, first, more, special = null, o, why;
    ${body.join('')}
    return settle(rs, e, f, lists, rules, score, errors, hits === 0 ? [] : hits === 1 ? [first] : more, [${results}], special);
  };`;
  const make = new Function('rules', 'errorResult', 'failedRun', 'snoozed', 'snoozedRun', 'settle', source);
  return make(rules, errorResult, failedRun, snoozed, snoozedRun, settle) as RulesRunner;
}

function errorResult(): RuleResult {
  return { outcome: 'error', observed: null };
}

function failedRun(special: (RuleRun | undefined)[] | null, n: number, i: number, rule: CompiledRule, err: unknown): (RuleRun | undefined)[] {
  (special ??= new Array(n))[i] = { rule, outcome: 'error', observed: null, error: String((err as Error)?.message ?? err).slice(0, 200) };
  return special;
}

function snoozedRun(special: (RuleRun | undefined)[] | null, n: number, i: number, rule: CompiledRule, r: RuleResult): (RuleRun | undefined)[] {
  (special ??= new Array(n))[i] = { rule, outcome: 'snoozed', observed: r.observed, reason: r.reason };
  return special;
}

/** The decision from the rules' score and errors, then the lists by explicit priority. */
function settle(
  rs: CompiledRuleset,
  e: QuanguardEvent,
  features: Record<string, number>,
  lists: readonly ListEntry[],
  rules: readonly CompiledRule[],
  sum: number,
  errors: number,
  reasons: string[],
  results: RuleResult[],
  special: (RuleRun | undefined)[] | null,
): Evaluation {
  const score = Math.min(100, sum);
  let decision = outcomeForScore(score, rs.thresholds);
  if (errors > 0) {
    const campaignId = (e as { campaignId?: string }).campaignId;
    const mode = (campaignId !== undefined ? rs.ruleErrors.campaigns[campaignId] : undefined) ?? rs.ruleErrors.default;
    if (mode === 'closed') {
      decision = strongestOutcome(decision, rs.ruleErrors.closedOutcome);
      reasons.push('ENGINE.RULE_ERROR');
    }
  }
  // Lists come last and win by explicit priority: block > allow > what the rules say.
  if (lists.length) {
    if (lists.some((l) => l.kind === 'block')) return new RulesEvaluation(rs.version, 'block', score, ['LIST.BLOCKED', ...reasons], features, rules, results, special);
    if (lists.some((l) => l.kind === 'allow')) return new RulesEvaluation(rs.version, 'allow', score, ['LIST.ALLOWED', ...reasons], features, rules, results, special);
  }
  return new RulesEvaluation(rs.version, decision, score, reasons, features, rules, results, special);
}

function snoozed(lists: readonly ListEntry[], ruleId: string): boolean {
  for (const l of lists) if (l.kind === 'snooze' && (l.ruleId === undefined || l.ruleId === ruleId)) return true;
  return false;
}

export { SKIPPED };
