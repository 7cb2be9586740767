// The ingest consumer: bus batches → ingest-batch.ts → store. The handler resolves only after the
// writes succeeded, so the bus commits offsets only then; any failure rejects and the batch is
// delivered again (idempotent by eventId). Nothing here throws on message content.
import type { EventBus, Subscription } from '../core/bus.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { AnalyticsStore } from './store/analytics-store.ts';
import { ingestBatch } from './ingest-batch.ts';
import type { IngestOutcome } from './outcome.ts';
import { serialProcessors, type EventProcessor } from './pipeline.ts';
import { loadStoredIds } from './stored-ids.ts';

/** What the ingester reports per batch; api/metrics.ts implements it with prom-client. */
export interface IngestMetrics {
  batchDone(outcome: IngestOutcome, seconds: number): void;
  batchFailed(): void;
}

export interface IngestOptions {
  bus: EventBus;
  store: AnalyticsStore;
  logger: Logger;
  metrics?: IngestMetrics;
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  /** Largest batch handed to one insert per table (default INGEST_BATCH.maxBatchSize). */
  maxBatchSize?: number;
  /** Longest a part-filled batch waits for more messages (default INGEST_BATCH.maxWaitMs). */
  maxWaitMs?: number;
  fromBeginning?: boolean;
  /**
   * Consumers in the group, in this process (default 1). Two let one batch decode in JavaScript
   * while another is inside ClickHouse (chdb runs queries off the main thread). Safe for
   * exactly-once: a repeated event has the same key, so the same partition, so the same consumer.
   */
  consumers?: number;
  processors?: readonly EventProcessor[];
  clock?: Clock;
  /**
   * Keep a filter of every stored id in memory so fresh ids skip the store lookup (stored-ids.ts).
   * Default: on for the embedded store (one process owns a chdb directory), off for a server.
   */
  storedIdFilter?: boolean;
  /** Called after each batch is stored (replay tallies its summary here). */
  onBatch?(outcome: IngestOutcome): void;
}

/**
 * How the ingester batches by default (npm start, replay and the ingest bench use these): by size
 * and by time. Every insert writes a part, and a part costs chdb about 8 ms CPU whatever its size,
 * plus the merges of small parts, so large blocks are what ClickHouse likes: per CPU-second the
 * ingester handled ~36k events at 10,000-event batches, ~43-53k at 25,000 and ~49-53k at 50,000
 * (ingest/README.md). A batch is that large only when there is a backlog: with less waiting, the
 * bus hands over a part-filled batch after maxWaitMs, so a quiet stream is not delayed by more
 * than that. Kafka fetches are sized to fill such a batch (bus/kafka-subscription.ts).
 */
export const INGEST_BATCH = { maxBatchSize: 50_000, maxWaitMs: 100 } as const;

export async function startIngest(opts: IngestOptions): Promise<Subscription> {
  const maxBatchSize = opts.maxBatchSize ?? INGEST_BATCH.maxBatchSize;
  const maxWaitMs = opts.maxWaitMs ?? INGEST_BATCH.maxWaitMs;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new Error(`ingest: maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  if (!(maxWaitMs >= 0)) throw new Error(`ingest: maxWaitMs must be >= 0, got ${maxWaitMs}`);
  const logger = opts.logger.child({ component: 'ingest', topic: opts.topic, groupId: opts.groupId });
  const deps = {
    bus: opts.bus,
    store: opts.store,
    logger,
    clock: opts.clock ?? systemClock,
    deadLetterTopic: opts.deadLetterTopic,
    processors: serialProcessors(opts.processors ?? []),
    storedIds: (opts.storedIdFilter ?? opts.store.backend === 'chdb') ? await loadStoredIds(opts.store) : undefined,
  };
  const consumers = opts.consumers ?? 1;
  if (!Number.isInteger(consumers) || consumers < 1) throw new Error(`ingest: consumers must be a positive integer, got ${consumers}`);
  const subscribe = () => opts.bus.subscribe({
    topic: opts.topic,
    groupId: opts.groupId,
    fromBeginning: opts.fromBeginning ?? true,
    maxBatchSize,
    maxWaitMs,
    async handleBatch(messages) {
      const started = performance.now();
      try {
        const outcome = await ingestBatch(deps, messages);
        opts.metrics?.batchDone(outcome, (performance.now() - started) / 1000);
        if (outcome.deadLettered > 0) logger.debug('dead-lettered', { count: outcome.deadLettered, fields: outcome.deadLetterFields });
        opts.onBatch?.(outcome);
      } catch (err) {
        opts.metrics?.batchFailed();
        logger.error('batch failed; it will be delivered again', { messages: messages.length, err: err as Error });
        throw err;
      }
    },
  });
  const subs: Subscription[] = [];
  try {
    for (let i = 0; i < consumers; i++) subs.push(await subscribe());
  } catch (err) {
    await Promise.all(subs.map((s) => s.stop()));
    throw err;
  }
  return { stop: async () => void (await Promise.all(subs.map((s) => s.stop()))) };
}
