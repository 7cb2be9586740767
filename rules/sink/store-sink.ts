// decisions_v1 writer over the analytics store. Buffers rows and inserts them in blocks (ClickHouse
// wants few large inserts); the table is a ReplacingMergeTree keyed by (occurredAt, eventId,
// rulesetVersion, shadow), so a redelivered decision replaces itself.
import type { Logger } from '../../core/logger.ts';
import type { DecisionRecord, DecisionSink } from './types.ts';

export interface RowInserter {
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
}

export function decisionRow(r: DecisionRecord): Record<string, unknown> {
  const iso = new Date(r.occurredAtMs).toISOString();
  return {
    decisionId: r.decisionId,
    eventId: r.eventId,
    eventType: r.eventType,
    occurredAt: `${iso.slice(0, 10)} ${iso.slice(11, 23)}`,
    decision: r.decision,
    score: r.score,
    reasons: r.reasons,
    rulesetVersion: r.rulesetVersion,
    shadow: r.shadow ? 1 : 0,
    explanation: r.explanationJson ?? JSON.stringify(r.explanation),
  };
}

export class StoreDecisionSink implements DecisionSink {
  private buffer: Record<string, unknown>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> = Promise.resolve();

  /** Rows handed to flushes that have not finished yet. */
  private inflightRows = 0;

  /**
   * `maxRows`: a buffer this full is flushed at once (else after `maxDelayMs`).
   * `sliceRows`: rows per INSERT within one flush (default 1,000). On the main thread a 1,000-row
   * INSERT held the event loop ~120 ms, so the engine runs embedded ClickHouse on its own thread
   * (ingest/store/chdb-worker.ts); slices still bound one INSERT's body.
   * `highWaterRows`: a writer waits for the store only while more rows than this are buffered or
   * in flight (default 4 × maxRows). Below it a decision never waits on storage, which is how the
   * decision API keeps its latency; above it the writer is held (a replay outrunning the store).
   */
  constructor(private readonly store: RowInserter, private readonly opts: { maxRows?: number; maxDelayMs?: number; sliceRows?: number; highWaterRows?: number; logger?: Logger; table?: string } = {}) {}

  async write(records: readonly DecisionRecord[]): Promise<void> {
    for (const r of records) this.buffer.push(decisionRow(r));
    const maxRows = this.opts.maxRows ?? 5000;
    if (this.buffer.length >= maxRows) {
      const flushed = this.flush();
      if (this.inflightRows > (this.opts.highWaterRows ?? 4 * maxRows)) await flushed;
      else flushed.catch((err: unknown) => this.opts.logger?.error('decision flush failed', { err: err as Error }));
    } else if (!this.timer) this.timer = setTimeout(() => void this.flush().catch((err) => this.opts.logger?.error('decision flush failed', { err })), this.opts.maxDelayMs ?? 500);
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const rows = this.buffer;
    this.buffer = [];
    const table = this.opts.table ?? 'decisions_v1';
    // A failed earlier flush must not poison this one: its rows are already back in the buffer.
    const slice = Math.max(1, this.opts.sliceRows ?? 1000);
    this.inflightRows += rows.length;
    this.inflight = this.inflight.catch(() => undefined).then(async () => {
      for (let from = 0; from < rows.length; from += slice) {
        const part = rows.slice(from, from + slice);
        try {
          await this.store.insert(table, part);
          this.inflightRows -= part.length;
        } catch (err) {
          this.inflightRows -= rows.length - from;
          // Keep the rows not yet stored for the next flush rather than lose decisions; the
          // caller sees the failure.
          this.buffer = rows.slice(from).concat(this.buffer);
          throw err;
        }
      }
    });
    return this.inflight;
  }
}
