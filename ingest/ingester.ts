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
  maxBatchSize: number;
  maxWaitMs: number;
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

export async function startIngest(opts: IngestOptions): Promise<Subscription> {
  if (!Number.isInteger(opts.maxBatchSize) || opts.maxBatchSize < 1) throw new Error(`ingest: maxBatchSize must be a positive integer, got ${opts.maxBatchSize}`);
  if (!(opts.maxWaitMs >= 0)) throw new Error(`ingest: maxWaitMs must be >= 0, got ${opts.maxWaitMs}`);
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
    maxBatchSize: opts.maxBatchSize,
    maxWaitMs: opts.maxWaitMs,
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
