// The rules engine: folds every event into reference state and windowed features, and decides
// claims and redemptions (RiskDecider) with the live rule set, and beside it, stored apart, with a
// candidate rule set in shadow. Dependencies come in; nothing here is a module-level singleton.
import type { Claim, QuanguardEvent, Redemption } from '../../core/events.ts';
import type { RiskDecider, RiskDecision } from '../../core/decision.ts';
import { newId } from '../../core/ids.ts';
import { Rng } from '../../core/rng.ts';
import type { Logger } from '../../core/logger.ts';
import { silentLogger } from '../../core/logger.ts';
import type { FeatureStore } from '../features/store.ts';
import { MemoryFeatureStore } from '../features/memory.ts';
import type { ListEntry, ListStore } from '../lists/types.ts';
import { MemoryListStore } from '../lists/memory.ts';
import { Reference } from '../reference/state.ts';
import type { DecisionRecord, DecisionSink } from '../sink/types.ts';
import type { RuleContext } from '../types.ts';
import type { CompiledRuleset } from './compile.ts';
import { factsOf, featureOps, featureOpsInto, featureRecord, runRules, typeRecord, type Evaluation, type TypeRecord } from './evaluate.ts';
import type { ApplyOptions, FeatureOp } from '../features/store.ts';
import { listEntities } from './entities.ts';
import { eventTimeMs } from './event-time.ts';
import { EngineDecisionRecord } from './record.ts';
import { RecentDecisions } from './recent.ts';

export interface RulesetRunner {
  ruleset: CompiledRuleset;
  features: FeatureStore;
}

export interface RulesEngineDeps {
  live: RulesetRunner;
  /** A candidate rule set evaluated on the same events with its own feature state, stored as shadow. */
  shadow?: RulesetRunner;
  reference?: Reference;
  lists?: ListStore;
  sink?: DecisionSink;
  logger?: Logger;
  /** Observers of every evaluation (flags, metrics, replay output). */
  onEvaluation?: (e: QuanguardEvent, ev: Evaluation, shadow: boolean) => void;
  /** How many recent decisions answer a redelivered event (0 when the caller deduplicates, as ingest does). */
  recentCapacity?: number;
  /** Seed of the decision-id generator (a replay with a fixed seed reproduces its ids). */
  idSeed?: number | string;
}

export interface Processed {
  decision?: RiskDecision;
  evaluation?: Evaluation;
}

export class RulesEngine implements RiskDecider {
  readonly name = 'rules-engine';
  readonly reference: Reference;
  private readonly lists: ListStore;
  private readonly logger: Logger;
  private readonly recent: RecentDecisions;
  private readonly ctx: RuleContext;
  private readonly opBuffers = new Map<RulesetRunner, OpBuffer>();
  // Decision ids need uniqueness, not secrecy: a seeded generator avoids a crypto call per event.
  private readonly ids: Rng;

  constructor(private readonly deps: RulesEngineDeps) {
    this.reference = deps.reference ?? new Reference();
    this.lists = deps.lists ?? new MemoryListStore();
    this.ctx = { facts: { t: 0, thresholdFen: null, couponDiscountFen: null, batchDropAt: null }, reference: this.reference };
    this.logger = deps.logger ?? silentLogger;
    this.recent = new RecentDecisions(deps.recentCapacity ?? 1_000_000);
    this.ids = new Rng(deps.idSeed ?? `${process.pid}:${Date.now()}:${Math.random()}`);
  }

  get rulesetVersion(): string {
    return this.deps.live.ruleset.version;
  }

  /** RiskDecider: decide on the would-be event, then record it in features and reference state. */
  async decide(event: Claim | Redemption): Promise<RiskDecision> {
    const p = await this.process(event);
    return p.decision!;
  }

  /**
   * Any contract event: claims and redemptions get a decision; refunds and prices feed flags.
   * On in-memory state with no list entries and no shadow set, the whole decision is made
   * synchronously and the answer is the Processed itself, not a promise (an async function per
   * event cost a promise, its microtasks and a retained frame); otherwise it is a promise.
   * Callers `await` it either way.
   */
  process(e: QuanguardEvent): Processed | Promise<Processed> {
    const again = this.recent.get(e.eventId);
    if (again) return { decision: again };
    const t = eventTimeMs(e.occurredAt);
    if (e.type !== 'claim' && e.type !== 'redemption' && e.type !== 'refund' && e.type !== 'price.observed') {
      this.reference.observe(e, t);
      return {};
    }
    if (this.deps.shadow || this.lists.mayHaveEntries() || !(this.deps.live.features instanceof MemoryFeatureStore)) return this.processAsync(e, t);
    const facts = factsOf(e, t, this.reference);
    const live = this.evaluate(this.deps.live, e, facts, NO_LISTS) as Evaluation;
    return this.finish(e, t, live, undefined);
  }

  private async processAsync(e: Claim | Redemption | Extract<QuanguardEvent, { type: 'refund' | 'price.observed' }>, t: number): Promise<Processed> {
    const facts = factsOf(e, t, this.reference);
    const lists = this.lists.mayHaveEntries() ? await this.lists.match(listEntities(e, this.reference), t) : NO_LISTS;
    let live = this.evaluate(this.deps.live, e, facts, lists);
    if (live instanceof Promise) live = await live;
    const shadow = this.deps.shadow ? await this.evaluateShadow(this.deps.shadow, e, facts, lists) : undefined;
    return this.finish(e, t, live, shadow);
  }

  /** Folds the event into reference state, tells the observers, and makes and stores the decision. */
  private finish(e: QuanguardEvent, t: number, live: Evaluation, shadow: Evaluation | undefined): Processed | Promise<Processed> {
    this.reference.observe(e, t);
    this.deps.onEvaluation?.(e, live, false);
    if (shadow) this.deps.onEvaluation?.(e, shadow, true);
    if (e.type !== 'claim' && e.type !== 'redemption') return { evaluation: live };
    const decisionId = newId('decision', t, this.ids);
    const decision: RiskDecision = { decisionId, eventId: e.eventId, decision: live.decision, score: live.score, reasons: live.reasons, rulesetVersion: live.rulesetVersion };
    this.remember(decision);
    const done: Processed = { decision, evaluation: live };
    if (!this.deps.sink) return done;
    const records = [record(e, t, decisionId, live, false)];
    if (shadow) records.push(record(e, t, newId('decision', t, this.ids), shadow, true));
    return this.deps.sink.write(records).then(() => done);
  }

  private async evaluateShadow(runner: RulesetRunner, e: QuanguardEvent, facts: ReturnType<typeof factsOf>, lists: readonly ListEntry[]): Promise<Evaluation | undefined> {
    try {
      return await this.evaluate(runner, e, facts, lists);
    } catch (err) {
      return this.shadowFailed(err);
    }
  }

  private evaluate(runner: RulesetRunner, e: QuanguardEvent, facts: ReturnType<typeof factsOf>, lists: readonly ListEntry[]): Evaluation | Promise<Evaluation> {
    const store = runner.features;
    // In memory, a redelivered claim or redemption never gets here (`recent` answers it), so the
    // store's own event-id check is only needed for other events and for shared (Redis) state.
    const inMemory = store instanceof MemoryFeatureStore;
    const recentCovers = (this.deps.recentCapacity ?? 1) > 0 && (e.type === 'claim' || e.type === 'redemption');
    const opts = inMemory && recentCovers ? RECORD : { record: true, dedupId: e.eventId };
    if (inMemory) {
      // The memory store is synchronous and done with the ops when it returns, so one set of op
      // objects per runner is reused event after event (nothing awaits between fill and apply).
      let buf = this.opBuffers.get(runner);
      if (buf === undefined) this.opBuffers.set(runner, (buf = { ops: [], values: new Float64Array(runner.ruleset.features.length), types: new Map() }));
      let tr = buf.types.get(e.type);
      if (tr === undefined) buf.types.set(e.type, (tr = typeRecord(runner.ruleset, e.type)));
      const n = featureOpsInto(runner.ruleset, e, facts, this.reference, buf.ops, tr.slots);
      (store as MemoryFeatureStore).applySync(buf.ops, facts.t, opts, buf.values, n);
      tr.fill(tr.record, buf.values, tr.slots);
      // One context object per engine, refilled per event: rules read it and keep nothing of it.
      const ctx = this.ctx;
      ctx.facts = facts;
      return runRules(runner.ruleset, e, tr.record, ctx, lists);
    }
    const { ops, names } = featureOps(runner.ruleset, e, facts, this.reference);
    return store.apply(ops, facts.t, opts).then((values) => runRules(runner.ruleset, e, featureRecord(runner.ruleset, names, values), { facts, reference: this.reference }, lists));
  }

  private shadowFailed(err: unknown): undefined {
    // A candidate must never cost a live decision.
    this.logger.warn('shadow rule set failed', { err: err as Error });
    return undefined;
  }

  private remember(d: RiskDecision): void {
    this.recent.add(d);
  }

  async close(): Promise<void> {
    await this.deps.sink?.flush();
    await this.deps.live.features.close();
    await this.deps.shadow?.features.close();
    await this.lists.close();
  }
}

/**
 * Per runner on in-memory state: the op objects and values of the current event, and per
 * event type its feature record (typeRecord), all reused event after event. An Evaluation's
 * `features` on this path is that record: valid while the event is evaluated and observed
 * (onEvaluation), refilled by the next event of its type.
 */
interface OpBuffer {
  ops: FeatureOp[];
  values: Float64Array;
  types: Map<string, TypeRecord>;
}

const RECORD: ApplyOptions = Object.freeze({ record: true, dedupId: undefined });
const NO_LISTS: readonly ListEntry[] = Object.freeze([]) as readonly ListEntry[];

function record(e: Claim | Redemption, t: number, decisionId: string, ev: Evaluation, shadow: boolean): DecisionRecord {
  return new EngineDecisionRecord(e, t, decisionId, ev, shadow);
}

/** An engine on in-memory state, the embedded default. */
export function memoryEngine(live: CompiledRuleset, opts: Omit<RulesEngineDeps, 'live'> & { shadowRuleset?: CompiledRuleset } = {}): RulesEngine {
  return new RulesEngine({
    ...opts,
    live: { ruleset: live, features: new MemoryFeatureStore() },
    shadow: opts.shadowRuleset ? { ruleset: opts.shadowRuleset, features: new MemoryFeatureStore() } : opts.shadow,
  });
}
