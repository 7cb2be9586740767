// The Kafka EventBus on kafkajs 2.2.4: idempotent producer with acks=all, topics created up front,
// keyed messages, consumer groups that commit only after handleBatch resolved
// (kafka-subscription.ts, kafka-batcher.ts). Contract: ingest/bus/bus-contract.ts.
import kafkajs from 'kafkajs';
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { TOPICS, type EventBus, type OutgoingMessage, type SubscribeOptions, type Subscription } from '../../core/bus.ts';
import { AppError, invalid } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { kafkaError, kafkaLogCreator } from './kafka-log.ts';
import { createKafkaSubscription } from './kafka-subscription.ts';
import { checkPublish, checkSubscribe } from './options.ts';

const { Kafka: KafkaClient, Partitioners, logLevel } = kafkajs;

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** Replaces the `quanguard` namespace of the topic names (`<prefix>.events.v1`). */
  topicPrefix?: string;
  logger: Logger;
  /** Partitions of the topics this bus creates. */
  partitions: number;
  replicationFactor?: number;
  /** Topics created up front (default: events and dead letters); others are created on first use. */
  topics?: string[];
  /** How soon a dead consumer's partitions move to another member (broker minimum 6 s). */
  sessionTimeoutMs?: number;
}

// A send carries at most this many bytes for any one partition: the broker refuses a record batch
// (one per partition) above message.max.bytes (1 MiB by default), and kafkajs groups a send's
// messages per partition in quadratic time, cheap up to ~700 messages and five times dearer per
// message at 1,400.
const MAX_PARTITION_BYTES_PER_SEND = 128 * 1024;

export interface KafkaBus extends EventBus {
  readonly backend: 'kafka';
  /**
   * Deletes a topic this process made for one run (a replay's or a benchmark's own topic), so
   * repeated runs do not leave one topic each on the broker. Never for the shared topics.
   */
  deleteTopic(topic: string): Promise<void>;
}

/** The bus's deleteTopic when it is a Kafka bus (the embedded bus keeps nothing after close). */
export function topicDeleter(bus: EventBus): ((topic: string) => Promise<void>) | undefined {
  return bus.backend === 'kafka' && 'deleteTopic' in bus ? (bus as KafkaBus).deleteTopic : undefined;
}

export async function createKafkaBus(opts: KafkaBusOptions): Promise<KafkaBus> {
  if (!Array.isArray(opts.brokers) || opts.brokers.length === 0) throw invalid('brokers', 'must list at least one host:port (KAFKA_BROKERS)');
  if (!Number.isInteger(opts.partitions) || opts.partitions < 1) throw invalid('partitions', 'must be an integer of at least 1');
  const { logger } = opts;
  const replicationFactor = opts.replicationFactor ?? 1;
  const physical = (topic: string) =>
    opts.topicPrefix && topic.startsWith('quanguard.') ? `${opts.topicPrefix}.${topic.slice('quanguard.'.length)}` : topic;

  const kafka: Kafka = new KafkaClient({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(logger),
    connectionTimeout: 3_000,
    // Generous retries: right after a topic is created, or while a loaded machine elects leaders,
    // a broker answers NOT_LEADER_FOR_PARTITION for a few seconds; five quick retries (~0.75 s)
    // were seen to run out under load in CI.
    retry: { initialRetryTime: 100, maxRetryTime: 3_000, retries: 10 },
  });
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  try {
    await admin.connect();
    await producer.connect();
  } catch (err) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    throw new AppError('UNAVAILABLE', `kafka: cannot reach the brokers ${opts.brokers.join(',')} (KAFKA_BROKERS is set, so there is no fallback to the embedded bus): ${(err as Error).message}`, { retryable: true, cause: err });
  }

  // Partition count per topic, known after the topic exists; one lookup per topic and process.
  // Creations run one at a time and retry: right after CreateTopics a KRaft broker may still answer
  // the metadata of the new topic with UNKNOWN_TOPIC_OR_PARTITION (seen with two concurrent
  // creations on Kafka 4.x), which kafkajs's waitForLeaders does not retry.
  const topicPartitions = new Map<string, Promise<number>>();
  let creating: Promise<unknown> = Promise.resolve();
  const createOnce = async (topic: string): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: opts.partitions, replicationFactor }], waitForLeaders: true, timeout: 20_000 });
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        const count = meta.topics[0]?.partitions.length ?? 0;
        if (count > 0) return count;
        throw Object.assign(new Error(`topic ${topic} has no partitions yet`), { retriable: true });
      } catch (err) {
        if ((err as { retriable?: boolean }).retriable !== true || attempt >= 8) throw err;
        await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** attempt)));
      }
    }
  };
  const ensureTopic = (topic: string): Promise<number> => {
    let known = topicPartitions.get(topic);
    if (!known) {
      known = creating.then(() => createOnce(topic)).catch((err: unknown) => {
        topicPartitions.delete(topic);
        throw kafkaError(`creating topic ${topic}`, err);
      });
      creating = known.catch(() => undefined);
      topicPartitions.set(topic, known);
    }
    return known;
  };
  const upFront = (opts.topics ?? [TOPICS.events, TOPICS.deadLetter]).map(physical);
  try {
    await Promise.all(upFront.map(ensureTopic));
  } catch (err) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    throw err;
  }
  logger.info('kafka bus: connected', { brokers: opts.brokers, topics: upFront, partitions: opts.partitions });

  // The Java-compatible murmur2 of kafkajs: any Kafka client puts a key on the same partition.
  const partitioner = Partitioners.DefaultPartitioner();
  const subscriptions = new Set<Subscription>();
  let closed = false;

  return {
    backend: 'kafka',
    async publish(topic: string, messages: OutgoingMessage[]) {
      if (closed) throw new AppError('UNAVAILABLE', 'kafka bus is closed', { retryable: false });
      checkPublish(topic, messages);
      if (messages.length === 0) return;
      const name = physical(topic);
      const count = await ensureTopic(name);
      const meta = Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
      const perPartition: Message[][] = Array.from({ length: count }, () => []);
      for (const m of messages) {
        const msg: Message = { key: m.key, value: m.value, headers: m.headers };
        msg.partition = partitioner({ topic: name, partitionMetadata: meta, message: msg });
        perPartition[msg.partition]!.push(msg);
      }
      // Sends go one after another, so a key's messages keep their order across sends too.
      const cursor = new Array<number>(count).fill(0);
      for (;;) {
        const chunk: Message[] = [];
        for (let p = 0; p < count; p++) {
          const list = perPartition[p]!;
          let bytes = 0;
          while (cursor[p]! < list.length) {
            const m = list[cursor[p]!]!;
            const size = Buffer.byteLength(m.value as string) + Buffer.byteLength(m.key as string) + 32;
            if (bytes > 0 && bytes + size > MAX_PARTITION_BYTES_PER_SEND) break;
            bytes += size;
            chunk.push(m);
            cursor[p]!++;
          }
        }
        if (chunk.length === 0) break;
        try {
          await producer.send({ topic: name, acks: -1, messages: chunk });
        } catch (err) {
          throw kafkaError(`publishing ${chunk.length} messages to ${name}`, err);
        }
      }
    },
    async subscribe(raw: SubscribeOptions) {
      if (closed) throw new AppError('UNAVAILABLE', 'kafka bus is closed', { retryable: false });
      const opts2 = checkSubscribe(raw);
      const physicalTopic = physical(opts2.topic);
      const partitions = await ensureTopic(physicalTopic);
      const sub = await createKafkaSubscription({ kafka, logger, opts: opts2, physicalTopic, partitions, sessionTimeoutMs: opts.sessionTimeoutMs ?? 10_000 });
      subscriptions.add(sub);
      return {
        stop: async () => {
          await sub.stop();
          subscriptions.delete(sub);
        },
      };
    },
    async lag(topic: string, groupId: string) {
      const name = physical(topic);
      try {
        const ends = await admin.fetchTopicOffsets(name);
        const [group] = await admin.fetchOffsets({ groupId, topics: [name] });
        const committed = new Map((group?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
        let lag = 0n;
        for (const p of ends) {
          const c = committed.get(p.partition) ?? -1n;
          lag += BigInt(p.high) - (c >= 0n ? c : BigInt(p.low));
        }
        return Number(lag);
      } catch (err) {
        if ((err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return 0;
        throw kafkaError(`reading the lag of ${groupId} on ${name}`, err);
      }
    },
    async deleteTopic(topic: string) {
      const name = physical(topic);
      if (Object.values(TOPICS).map(physical).includes(name)) throw invalid('topic', `${name} is shared; only a run's own topic may be deleted`);
      topicPartitions.delete(name);
      try {
        await admin.deleteTopics({ topics: [name], timeout: 20_000 });
      } catch (err) {
        if ((err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return;
        throw kafkaError(`deleting topic ${name}`, err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...subscriptions].map((s) => s.stop()));
      subscriptions.clear();
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    },
  };
}
