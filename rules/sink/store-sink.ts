// decisions_v1 writer over the analytics store. Buffers rows and inserts them in blocks (ClickHouse
// wants few large inserts); the table is a ReplacingMergeTree keyed by (occurredAt, eventId,
// rulesetVersion, shadow), so a redelivered decision replaces itself.
//
// Each decision is encoded into its row's JSON line when it is written (ingest/store/encoded-rows.ts):
// the buffer holds bytes outside the JS heap, not a row object per decision waiting up to
// `maxDelayMs` (on the decision API's thread those survived young-generation collections and were
// promoted, then serialised once more at flush), and the explanation, already JSON text, goes into
// the line as it is: ClickHouse stores a JSON array given for a String column as that text, the
// same string the escaped form gave (store-sink.test.ts reads it back), without the escaping.
import type { Logger } from '../../core/logger.ts';
import { insertEncoded, type AnalyticsStore } from '../../ingest/store/analytics-store.ts';
import { EncodedRowsBuilder, type EncodedRows } from '../../ingest/store/encoded-rows.ts';
import { chTime } from '../../ingest/store/time.ts';
import type { DecisionRecord, DecisionSink } from './types.ts';

/** Takes the sink's blocks of encoded rows (tests inject one; a store goes through insertEncoded). */
export interface RowInserter {
  insertBlock(table: string, rows: EncodedRows): Promise<void>;
}

/** The analytics store (its client and database) or a RowInserter. */
export type DecisionStore = Pick<AnalyticsStore, 'client' | 'database'> | RowInserter;

export const DECISION_COLUMNS = ['decisionId', 'eventId', 'eventType', 'occurredAt', 'decision', 'score', 'reasons', 'rulesetVersion', 'shadow', 'explanation'] as const;

/** A decisions_v1 row as an object (DECISION_COLUMNS): what decisionLine encodes, for tests and readers. */
export function decisionRow(r: DecisionRecord): Record<string, unknown> {
  return {
    decisionId: r.decisionId,
    eventId: r.eventId,
    eventType: r.eventType,
    occurredAt: chTime(r.occurredAtMs),
    decision: r.decision,
    score: r.score,
    reasons: r.reasons,
    rulesetVersion: r.rulesetVersion,
    shadow: r.shadow ? 1 : 0,
    explanation: explanationText(r),
  };
}

function explanationText(r: DecisionRecord): string {
  return r.explanationJson ?? JSON.stringify(r.explanation);
}

// Times chTime writes as 'YYYY-MM-DD hh:mm:ss.sss' (years 0-9999); others go to chTime itself.
const MAX_PLAIN_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * chTime for a writer's decision times, keeping the text of the last second: decisions of one
 * writer come in bursts within a second, so most only add their milliseconds (Date's ISO text cost
 * a few µs per decision on the API's thread). The same text as chTime (store-sink.test.ts).
 */
export class DecisionTimeText {
  private second = NaN;
  private head = '';

  text(ms: number): string {
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_PLAIN_MS) return chTime(ms);
    const milli = ms % 1000;
    const second = ms - milli;
    if (second !== this.second) {
      this.second = second;
      this.head = chTime(second).slice(0, 20);
    }
    return this.head + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli;
  }
}

/**
 * decisionRow as one JSONCompactEachRow line in DECISION_COLUMNS order. The explanation is put in
 * raw when it is a JSON array (it always is: the engine's text or JSON.stringify of the array),
 * else as a JSON string, as before.
 */
export function decisionLine(r: DecisionRecord, times: DecisionTimeText = new DecisionTimeText()): string {
  const ex = explanationText(r);
  const raw = typeof ex === 'string' && ex.charCodeAt(0) === 91 /* [ */ && ex.charCodeAt(ex.length - 1) === 93; /* ] */
  return `[${JSON.stringify(r.decisionId)},${JSON.stringify(r.eventId)},${JSON.stringify(r.eventType)},"${times.text(r.occurredAtMs)}",${JSON.stringify(r.decision)},${JSON.stringify(r.score)},${JSON.stringify(r.reasons)},${JSON.stringify(r.rulesetVersion)},${r.shadow ? 1 : 0},${raw ? ex : (JSON.stringify(ex) ?? 'null')}]`;
}

const DONE: Promise<void> = Promise.resolve();

export class StoreDecisionSink implements DecisionSink {
  private rows = new EncodedRowsBuilder(DECISION_COLUMNS);
  private readonly times = new DecisionTimeText();
  /** Blocks of a failed flush not yet stored: the next flush sends them first. */
  private retry: EncodedRows[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> = Promise.resolve();

  /** Rows handed to flushes that have not finished yet. */
  private inflightRows = 0;

  /**
   * `maxRows`: a buffer this full is flushed at once (else after `maxDelayMs`, default 1 s: what a
   * crash can lose, and the decision API's rows per INSERT: ~2,000 at 2,000/s).
   * `sliceRows`: rows per INSERT within one flush (default 5,000, a full buffer in one). Embedded
   * ClickHouse pays a fixed cost per INSERT (a part written, then merged again): at 2,000
   * decisions/s the ClickHouse child's CPU per request (the decide bench's
   * `childProcessesUsPerRequest`) was 44-62 µs with 1,000-row inserts every 500 ms and 24-32 µs
   * with one insert a second. A large INSERT no longer
   * holds the API: the engine runs away from the main thread (ingest/store/chdb-worker.ts; on
   * the main thread a 1,000-row INSERT held the event loop ~120 ms).
   * `highWaterRows`: a writer waits for the store only while more rows than this are buffered or
   * in flight (default 4 × maxRows), whether the buffer filled or the timer flushed it. Below it a decision never waits on storage, which is how the
   * decision API keeps its latency; above it the writer is held (a replay outrunning the store).
   */
  private readonly insert: (table: string, rows: EncodedRows) => Promise<void>;

  constructor(store: DecisionStore, private readonly opts: { maxRows?: number; maxDelayMs?: number; sliceRows?: number; highWaterRows?: number; logger?: Logger; table?: string } = {}) {
    this.insert = 'insertBlock' in store ? (table, rows) => store.insertBlock(table, rows) : (table, rows) => insertEncoded(store, table, rows);
  }

  /** Not an async function: a write that waits for nothing returns one shared settled promise. */
  write(records: readonly DecisionRecord[]): Promise<void> {
    try {
      for (const r of records) this.rows.push(decisionLine(r, this.times));
    } catch (err) {
      return Promise.reject(err);
    }
    const maxRows = this.opts.maxRows ?? 5000;
    const highWater = this.opts.highWaterRows ?? 4 * maxRows;
    // Also below maxRows: the timer's flushes of a store slower than the traffic queue up in
    // flight, and counting only full buffers would let that backlog grow in memory unheld.
    if (this.rows.length >= maxRows || this.inflightRows + this.rows.length > highWater) {
      const flushed = this.flush();
      if (this.inflightRows > highWater) return flushed;
      flushed.catch(this.retryLater);
      return DONE;
    }
    if (!this.timer) this.timer = setTimeout(() => void this.flush().catch(this.retryLater), this.opts.maxDelayMs ?? 1000);
    return DONE;
  }

  /**
   * A flush the sink started itself failed: its rows wait in `retry`, and the timer sends them
   * again rather than leaving them until the next decision comes (the store may be back soon:
   * embedded ClickHouse restarts its dead child, ingest/store/chdb-worker.ts). A caller's own
   * flush (finish) clears the timer and reports its failure instead.
   */
  private readonly retryLater = (err: unknown): void => {
    this.opts.logger?.error('decision flush failed; retrying', { err: err as Error, rows: this.retry.reduce((n, b) => n + b.length, 0) });
    if (!this.timer && this.retry.length > 0) this.timer = setTimeout(() => void this.flush().catch(this.retryLater), this.opts.maxDelayMs ?? 1000);
  };

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // A failed earlier flush must not poison this one: its rows are already back in `retry`.
    const blocks = this.retry.concat(this.rows.take(this.opts.sliceRows ?? 5000));
    this.retry = [];
    const table = this.opts.table ?? 'decisions_v1';
    for (const b of blocks) this.inflightRows += b.length;
    this.inflight = this.inflight.catch(() => undefined).then(async () => {
      for (let i = 0; i < blocks.length; i++) {
        const block = blocks[i]!;
        try {
          await this.insert(table, block);
          this.inflightRows -= block.length;
        } catch (err) {
          const left = blocks.slice(i);
          for (const b of left) this.inflightRows -= b.length;
          // Keep the rows not yet stored for the next flush rather than lose decisions; the
          // caller sees the failure.
          this.retry = left.concat(this.retry);
          throw err;
        }
      }
    });
    return this.inflight;
  }
}
