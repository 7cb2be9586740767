// Merges the per-partition batches of one kafkajs fetch into handleBatch calls of up to maxBatchSize
// messages, and commits offsets only after handleBatch resolved.
//
// Why this shape: kafkajs calls eachBatch once per partition of a fetch, all in the same tick when
// partitionsConsumedConcurrently covers the partitions, and it fetches again only when every one
// of those calls has returned. So each eachBatch call waits here until all its messages were handled
// and committed; once the calls of a fetch have arrived (one setImmediate later) nothing more can
// come, so a part-filled batch is handed over at once. The waiting to fill happens at the broker:
// the consumer's fetch waits up to maxWaitMs for minBytes (see kafka-subscription.ts).
//
// On rejection nothing is resolved or committed and every waiting eachBatch call throws. kafkajs
// then fetches again from the last resolved offset (its retrier, with backoff; after the retries it
// restarts the consumer, which reads the committed offsets): the same messages are delivered again.
import type { EachBatchPayload } from 'kafkajs';
import type { BusMessage } from '../../core/bus.ts';
import type { Logger } from '../../core/logger.ts';

interface Contribution {
  payload: EachBatchPayload;
  messages: BusMessage[];
  taken: number;
  done: number;
  resolve(): void;
  reject(err: Error): void;
}

/** Thrown into kafkajs when handleBatch rejects. `retriable` keeps kafkajs retrying instead of
 * crashing for good (it treats TypeError and friends as unrecoverable). */
export class HandleBatchFailed extends Error {
  readonly retriable = true;
  readonly retryable = true;
  constructor(cause: unknown) {
    super(`handleBatch rejected, the batch will be delivered again: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'HandleBatchFailed';
  }
}

export interface BatcherOptions {
  topic: string;
  maxBatchSize: number;
  heartbeatMs: number;
  handleBatch(messages: BusMessage[]): Promise<void>;
  logger: Logger;
}

export class KafkaBatcher {
  private queue: Contribution[] = [];
  private pending = 0;
  private draining = false;
  private scheduled = false;
  private stopping = false;

  constructor(private readonly opts: BatcherOptions) {}

  add(payload: EachBatchPayload, messages: BusMessage[]): Promise<void> {
    if (messages.length === 0 || this.stopping) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ payload, messages, taken: 0, done: 0, resolve, reject });
      this.pending += messages.length;
      if (this.pending >= this.opts.maxBatchSize) void this.drain();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.drain();
        });
      }
    });
  }

  /** After stop(): the batch in flight finishes and commits; queued messages are left uncommitted. */
  stop(): void {
    this.stopping = true;
    if (!this.draining) this.releaseQueued();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pending > 0 && !this.stopping) await this.flushOne();
      if (this.stopping) this.releaseQueued();
    } finally {
      this.draining = false;
    }
  }

  private async flushOne(): Promise<void> {
    const { maxBatchSize } = this.opts;
    const batch: BusMessage[] = [];
    const parts: [Contribution, number][] = [];
    for (const c of this.queue) {
      if (batch.length >= maxBatchSize) break;
      const n = Math.min(c.messages.length - c.taken, maxBatchSize - batch.length);
      if (n <= 0) continue;
      for (let i = c.taken; i < c.taken + n; i++) batch.push(c.messages[i]!);
      c.taken += n;
      parts.push([c, n]);
    }
    this.pending -= batch.length;

    // A long handleBatch must not cost the group membership: heartbeat while it runs (kafkajs
    // throttles these to its heartbeatInterval).
    const anyPayload = parts[0]![0].payload;
    const beat = setInterval(() => {
      anyPayload.heartbeat().catch((err: unknown) => this.opts.logger.debug('kafka bus: heartbeat during a batch failed', { err }));
    }, this.opts.heartbeatMs);
    try {
      await this.opts.handleBatch(batch);
    } catch (err) {
      this.failAll(new HandleBatchFailed(err));
      return;
    } finally {
      clearInterval(beat);
    }
    try {
      const next = new Map<number, string>();
      for (const m of batch) next.set(m.partition, m.offset);
      for (const [c] of parts) {
        const last = next.get(c.payload.batch.partition);
        if (last !== undefined) c.payload.resolveOffset(last);
      }
      await anyPayload.commitOffsetsIfNecessary({
        topics: [{ topic: anyPayload.batch.topic, partitions: [...next].map(([partition, off]) => ({ partition, offset: (BigInt(off) + 1n).toString() })) }],
      });
    } catch (err) {
      // Handled but not committed. If a rebalance took the partitions, the new owner reads from the
      // last commit and gets the batch again (handlers are idempotent); if we keep them, a later
      // commit covers it. The kafkajs error goes up as it is, so kafkajs sees a rebalance and rejoins.
      this.failAll(err as Error);
      return;
    }
    for (const [c, n] of parts) {
      c.done += n;
      if (c.done === c.messages.length) c.resolve();
    }
    this.queue = this.queue.filter((c) => c.done < c.messages.length);
  }

  // Everything queued belongs to the same fetch: a later message of a partition must not be
  // committed past a failed earlier one, so all of it is delivered again.
  private failAll(failure: Error): void {
    this.opts.logger.warn('kafka bus: batch not committed, it will be delivered again', { topic: this.opts.topic, err: failure });
    for (const c of this.queue) c.reject(failure);
    this.queue = [];
    this.pending = 0;
  }

  private releaseQueued(): void {
    for (const c of this.queue) c.resolve();
    this.queue = [];
    this.pending = 0;
  }
}
