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
    explanation: JSON.stringify(r.explanation),
  };
}

export class StoreDecisionSink implements DecisionSink {
  private buffer: Record<string, unknown>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> = Promise.resolve();

  /**
   * `sliceRows`: rows per INSERT within one flush. Building an INSERT's body and handing it to
   * embedded ClickHouse are synchronous; for 1,000 decisions (~1.2 MB) that held the event loop
   * ~15-50 ms on the shared 2-core machine, in the tail of every HTTP decision waiting behind it.
   * Slices of 250 hold it a quarter as long each, with the event loop turning in between.
   */
  constructor(private readonly store: RowInserter, private readonly opts: { maxRows?: number; maxDelayMs?: number; sliceRows?: number; logger?: Logger; table?: string } = {}) {}

  async write(records: readonly DecisionRecord[]): Promise<void> {
    for (const r of records) this.buffer.push(decisionRow(r));
    if (this.buffer.length >= (this.opts.maxRows ?? 5000)) await this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush().catch((err) => this.opts.logger?.error('decision flush failed', { err })), this.opts.maxDelayMs ?? 500);
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
    const slice = Math.max(1, this.opts.sliceRows ?? 250);
    this.inflight = this.inflight.catch(() => undefined).then(async () => {
      for (let from = 0; from < rows.length; from += slice) {
        try {
          await this.store.insert(table, rows.slice(from, from + slice));
        } catch (err) {
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
