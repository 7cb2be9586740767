// One consumer-group member on Kafka: eachBatch with autoCommit off, merged into handleBatch calls by
// KafkaBatcher, offsets resolved and committed only after handleBatch resolved.
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { BusMessage, Subscription } from '../../core/bus.ts';
import type { Logger } from '../../core/logger.ts';
import { KafkaBatcher } from './kafka-batcher.ts';
import { kafkaError } from './kafka-log.ts';
import type { CheckedSubscribe } from './options.ts';

export interface KafkaSubscriptionDeps {
  kafka: Kafka;
  logger: Logger;
  opts: CheckedSubscribe;
  /** The topic name on the broker (after the prefix); messages report the logical name. */
  physicalTopic: string;
  partitions: number;
  sessionTimeoutMs: number;
}

const HEARTBEAT_MS = 1_000;
/** Room per message when sizing fetches: a contract event is ~300-400 bytes of JSON plus its record. */
const BYTES_PER_MESSAGE = 512;

export async function createKafkaSubscription(deps: KafkaSubscriptionDeps): Promise<Subscription> {
  const { kafka, logger, opts, physicalTopic, partitions } = deps;
  const consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: deps.sessionTimeoutMs,
    rebalanceTimeout: Math.max(deps.sessionTimeoutMs, 30_000),
    heartbeatInterval: HEARTBEAT_MS,
    allowAutoTopicCreation: false,
    // The broker holds a fetch until about a batch worth of bytes arrived or maxWaitMs passed:
    // that is where a batch fills up. A zero wait would make an idle consumer spin.
    maxWaitTimeInMs: Math.max(opts.maxWaitMs, 20),
    minBytes: opts.maxWaitMs === 0 ? 1 : Math.min(opts.maxBatchSize * 100, 1 << 20),
    // One fetch is what a handleBatch can hold (the batcher flushes what arrived; kafkajs fetches a
    // partition again only after its eachBatch resolved), so a partition's share must be able to
    // fill a batch: measured, 1 MB per partition capped batches near 10k messages whatever
    // maxBatchSize said (mean 9,524 at maxBatchSize 50,000), and small batches are what cost the
    // store most (ingest/README.md).
    maxBytesPerPartition: Math.min(Math.max(opts.maxBatchSize * BYTES_PER_MESSAGE, 1 << 20), 16 << 20),
    maxBytes: 32 << 20,
    // A rejected batch throws out of eachBatch: kafkajs refetches from the last resolved offset with
    // this backoff, and after the retries restarts the consumer from the committed offsets.
    retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
  });
  const batcher = new KafkaBatcher({ topic: opts.topic, maxBatchSize: opts.maxBatchSize, heartbeatMs: HEARTBEAT_MS, handleBatch: opts.handleBatch, logger });
  consumer.on(consumer.events.CRASH, (e) => {
    const { error, restart } = e.payload as { error: Error; restart: boolean };
    const log = restart ? logger.warn : logger.error;
    log(restart ? 'kafka bus: consumer crashed, kafkajs restarts it' : 'kafka bus: consumer crashed and stopped', { topic: opts.topic, groupId: opts.groupId, err: error });
  });

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [physicalTopic], fromBeginning: opts.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: partitions,
      eachBatch: async (payload) => {
        if (!payload.isRunning() || payload.isStale()) return;
        const { batch } = payload;
        const messages: BusMessage[] = new Array(batch.messages.length);
        for (let i = 0; i < batch.messages.length; i++) messages[i] = toBusMessage(opts.topic, batch.partition, batch.messages[i]!);
        await batcher.add(payload, messages);
      },
    });
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw kafkaError(`subscribing group ${opts.groupId} to ${physicalTopic}`, err);
  }
  logger.info('kafka bus: subscribed', { topic: physicalTopic, groupId: opts.groupId, maxBatchSize: opts.maxBatchSize, maxWaitMs: opts.maxWaitMs });

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      // kafkajs's disconnect waits for the eachBatch calls in flight (so for the batch being handled
      // and its commit) before it leaves the group.
      stopped ??= (async () => {
        batcher.stop();
        await consumer.disconnect();
      })();
      return stopped;
    },
  };
}

function toBusMessage(topic: string, partition: number, m: KafkaMessage): BusMessage {
  const out: BusMessage = { topic, partition, offset: m.offset, key: m.key?.toString() ?? '', value: m.value?.toString() ?? '' };
  if (m.headers) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.headers)) {
      const first = Array.isArray(v) ? v[0] : v;
      if (first !== undefined) headers[k] = first.toString();
    }
    if (Object.keys(headers).length > 0) out.headers = headers;
  }
  return out;
}
