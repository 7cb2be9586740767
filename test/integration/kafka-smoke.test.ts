/**
 * Smoke test: kafkajs 2.2.4 against the real Apache Kafka broker that
 * `bash scripts/kafka.sh start` runs (see scripts/kafka/pom.xml for the version).
 *
 * Runs only when KAFKA_BROKERS is set (e.g. KAFKA_BROKERS=127.0.0.1:9092).
 * With QUANGUARD_REQUIRE_SERVICES=1 (CI) a missing KAFKA_BROKERS is a failure, not a skip.
 *
 * Covers what quanguard relies on: topic admin, idempotent producer with acks=-1,
 * consumer group from the beginning, per-key order, committed group offsets.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, Producer } from 'kafkajs';

const { Kafka, Partitioners, logLevel } = kafkajs;

const BROKERS = process.env.KAFKA_BROKERS?.trim();
const REQUIRED = process.env.QUANGUARD_REQUIRE_SERVICES === '1';

const KEYS = 10;
const PER_KEY = 10;
const TOTAL = KEYS * PER_KEY;

/** Polls `check` until it returns true or the deadline passes; no fixed sleeps. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Received {
  key: string;
  seq: number;
  partition: number;
  offset: string;
}

describe.skipIf(!BROKERS && !REQUIRED)('kafka smoke: kafkajs against a real broker', () => {
  const topic = `qg-smoke-${randomUUID()}`;
  const groupId = `qg-smoke-group-${randomUUID()}`;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  let topicCreated = false;

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    if (admin) {
      if (topicCreated) await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  }, 30_000);

  it('idempotent producer -> consumer group: all 100 keyed messages arrive, in order per key', async () => {
    if (!BROKERS) {
      throw new Error(
        'QUANGUARD_REQUIRE_SERVICES=1 but KAFKA_BROKERS is not set; start a broker with `bash scripts/kafka.sh start` and export KAFKA_BROKERS=127.0.0.1:9092',
      );
    }
    const kafka = new Kafka({
      clientId: 'quanguard-kafka-smoke',
      brokers: BROKERS.split(',').map((b) => b.trim()).filter(Boolean),
      logLevel: logLevel.WARN,
      connectionTimeout: 5_000,
      retry: { retries: 8, initialRetryTime: 100 },
    });

    admin = kafka.admin();
    await admin.connect();
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 20_000,
    });
    expect(created).toBe(true);
    topicCreated = true;
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);

    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    // 5 sends of 20 messages, interleaving the keys, so batching and ordering are both exercised.
    const all = Array.from({ length: TOTAL }, (_, i) => {
      const key = `k${i % KEYS}`;
      const seq = Math.floor(i / KEYS);
      return { key, value: JSON.stringify({ key, seq }) };
    });
    for (let i = 0; i < TOTAL; i += 20) {
      const res = await producer.send({ topic, acks: -1, messages: all.slice(i, i + 20) });
      for (const r of res) expect(r.errorCode).toBe(0);
    }

    const received: Received[] = [];
    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 250 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const body = JSON.parse(message.value?.toString() ?? '{}') as { key: string; seq: number };
        expect(message.key?.toString()).toBe(body.key);
        received.push({ key: body.key, seq: body.seq, partition, offset: message.offset });
      },
    });

    await waitFor(`${TOTAL} messages (have ${received.length})`, () => received.length >= TOTAL);
    expect(received).toHaveLength(TOTAL);

    // Exactly once each (idempotent producer, no duplicates), every key complete.
    const seen = new Set(received.map((r) => `${r.key}#${r.seq}`));
    expect(seen.size).toBe(TOTAL);

    // Per-key order holds, and each key sticks to one partition.
    const byKey = new Map<string, Received[]>();
    for (const r of received) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    expect(byKey.size).toBe(KEYS);
    for (const [key, msgs] of byKey) {
      expect(msgs.map((m) => m.seq), `order of ${key}`).toEqual(Array.from({ length: PER_KEY }, (_, i) => i));
      expect(new Set(msgs.map((m) => m.partition)).size, `partitions of ${key}`).toBe(1);
    }
    // The keys spread over more than one of the 3 partitions.
    expect(new Set(received.map((r) => r.partition)).size).toBeGreaterThan(1);

    // The group committed its offsets up to the end of every partition.
    const ends = await admin.fetchTopicOffsets(topic);
    const endTotal = ends.reduce((s, p) => s + Number(p.high), 0);
    expect(endTotal).toBe(TOTAL);
    await waitFor('committed group offsets', async () => {
      const [committed] = await admin!.fetchOffsets({ groupId, topics: [topic] });
      const sum = (committed?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
      return sum === TOTAL;
    }, 30_000);
  }, 120_000);
});
