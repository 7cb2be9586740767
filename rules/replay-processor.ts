// The rules as an ingest EventProcessor: every stored event goes through the engine in bus order;
// at the end of a replay it writes DIR/decisions.ndjson (one line per claim and redemption, as the
// event contract says) and DIR/flags.json (flags per entity from the rules, with reasons).
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { QuanguardEvent } from '../core/events.ts';
import type { Flag } from '../core/decision.ts';
import type { EventProcessor } from '../ingest/pipeline.ts';
import type { CompiledRuleset } from './engine/compile.ts';
import { RulesEngine } from './engine/engine.ts';
import { eventTimeMs } from './engine/event-time.ts';
import type { Evaluation } from './engine/evaluate.ts';
import { MemoryFeatureStore } from './features/memory.ts';
import type { FeatureStore } from './features/store.ts';
import { FlagAggregator } from './flags.ts';
import type { DecisionSink } from './sink/types.ts';

export interface RulesProcessorOptions {
  ruleset: CompiledRuleset;
  features?: FeatureStore;
  /** decisions_v1 writer; absent: decisions go only to decisions.ndjson. */
  sink?: DecisionSink;
  shadow?: { ruleset: CompiledRuleset; features?: FeatureStore };
  /**
   * The bus keeps order per partition only (claims by user, redemptions by merchant), so events are
   * held this long in event time and evaluated oldest first: a replay gives the same answers however
   * the partitions interleave (a partition can lag another by a whole batch). Default three days.
   */
  reorderWindowMs?: number;
  idSeed?: number | string;
  /**
   * Stream decisions.ndjson here while events are processed instead of holding every line until
   * finish(): a city replay has millions of decisions, which with the models' window outgrew the heap.
   */
  decisionsFile?: string;
}

export interface DecisionLine {
  eventId: string;
  decision: string;
  score: number;
  reasons: string[];
}

export class RulesProcessor implements EventProcessor {
  readonly name = 'rules';
  readonly engine: RulesEngine;
  private readonly flagsAgg: FlagAggregator;
  private lines: string[] = [];
  private decisions = 0;
  private out: WriteStream | null = null;
  private readonly decisionsFile: string | undefined;
  private pending: { t: number; seq: number; e: QuanguardEvent }[] = [];
  private seq = 0;
  private newest = -Infinity;
  private readonly reorderMs: number;

  constructor(opts: RulesProcessorOptions) {
    this.flagsAgg = new FlagAggregator(opts.ruleset);
    this.reorderMs = opts.reorderWindowMs ?? 3 * 86_400_000;
    this.decisionsFile = opts.decisionsFile;
    this.engine = new RulesEngine({
      live: { ruleset: opts.ruleset, features: opts.features ?? new MemoryFeatureStore() },
      shadow: opts.shadow ? { ruleset: opts.shadow.ruleset, features: opts.shadow.features ?? new MemoryFeatureStore() } : undefined,
      sink: opts.sink,
      idSeed: opts.idSeed ?? 1,
      // Ingest hands each stored event over once; the feature store's event-id check covers the rest.
      recentCapacity: 0,
      onEvaluation: (e, ev, shadow) => this.observe(e, ev, shadow),
    });
  }

  private observe(e: QuanguardEvent, ev: Evaluation, shadow: boolean): void {
    if (shadow) return;
    this.flagsAgg.add(e, ev.runs);
    if (e.type === 'claim' || e.type === 'redemption') {
      const line: DecisionLine = { eventId: e.eventId, decision: ev.decision, score: ev.score, reasons: ev.reasons };
      this.lines.push(JSON.stringify(line));
      this.decisions++;
    }
  }

  // Calls never overlap (ingest/pipeline.ts contract): the held-events queue is drained by one call at a time.
  async process(events: readonly QuanguardEvent[]): Promise<void> {
    for (const e of events) {
      const t = eventTimeMs(e.occurredAt);
      this.pending.push({ t, seq: this.seq++, e });
      if (t > this.newest) this.newest = t;
    }
    await this.drain(this.newest - this.reorderMs);
    await this.spill();
  }

  /** With a decisions file: hands the lines so far to it, waiting while the file is behind. */
  private async spill(): Promise<void> {
    if (!this.decisionsFile || this.lines.length === 0) return;
    if (!this.out) {
      await mkdir(dirname(this.decisionsFile), { recursive: true });
      this.out = createWriteStream(this.decisionsFile);
    }
    const out = this.out;
    const text = this.lines.join('\n') + '\n';
    this.lines = [];
    // events.once removes its listeners either way (a bare once('error') per wait piled up).
    if (!out.write(text)) await once(out, 'drain');
  }

  /** Evaluates held events up to `untilMs`, oldest first (reference data first on a tie, then by eventId). */
  private async drain(untilMs: number): Promise<void> {
    // Ties in time are broken by eventId, not by arrival: arrival order across partitions differs
    // from run to run, and bot claims share a millisecond, so arrival order made replays differ.
    this.pending.sort((a, b) => a.t - b.t || rank(a.e) - rank(b.e) || compareIds(a.e.eventId, b.e.eventId) || a.seq - b.seq);
    let k = 0;
    while (k < this.pending.length && this.pending[k]!.t <= untilMs) {
      // The engine answers in place on the in-memory path: await only a promise.
      const p = this.engine.process(this.pending[k++]!.e);
      if (p instanceof Promise) await p;
    }
    if (k > 0) this.pending = this.pending.slice(k);
  }

  flags(): Flag[] {
    return this.flagsAgg.flags();
  }

  /** decisions.ndjson lines so far (for tests and callers without a decisions file). */
  decisionLines(): readonly string[] {
    if (this.decisionsFile) throw new Error('decisions are streamed to ' + this.decisionsFile + '; read the file');
    return this.lines;
  }

  /** How many claim and redemption decisions were made so far. */
  decisionCount(): number {
    return this.decisions;
  }

  async finish(outDir?: string): Promise<void> {
    await this.drain(Infinity);
    await this.engine.close();
    if (this.decisionsFile) {
      // Also when nothing was decided: the file exists, empty, as it would without streaming.
      if (!this.out) {
        await mkdir(dirname(this.decisionsFile), { recursive: true });
        this.out = createWriteStream(this.decisionsFile);
      }
      await this.spill();
      const out = this.out;
      await new Promise<void>((resolve, reject) => out.once('error', reject).end(resolve));
    }
    if (!outDir) return;
    await mkdir(outDir, { recursive: true });
    const decisionsHere = join(outDir, 'decisions.ndjson');
    if (!this.decisionsFile) await writeLines(decisionsHere, this.lines);
    else if (resolve(this.decisionsFile) !== resolve(decisionsHere)) throw new Error(`decisions were streamed to ${this.decisionsFile}, not to ${decisionsHere}`);
    await writeFile(join(outDir, 'flags.json'), JSON.stringify({ flags: this.flags() }, null, 1) + '\n');
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RANK: Record<string, number> = { 'campaign.published': 0, 'merchant.registered': 1, 'eligibility.granted': 2, 'price.observed': 3, claim: 4, redemption: 5, refund: 6 };
function rank(e: QuanguardEvent): number {
  return RANK[e.type] ?? 9;
}

async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  const ws = createWriteStream(file);
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    let i = 0;
    const pump = (): void => {
      while (i < lines.length) {
        if (!ws.write(lines[i++] + '\n')) {
          ws.once('drain', pump);
          return;
        }
      }
      ws.end(resolve);
    };
    pump();
  });
}
