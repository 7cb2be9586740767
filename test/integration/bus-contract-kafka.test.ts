// The bus contract (ingest/bus/bus-contract.ts) against the real broker of scripts/kafka.sh.
// Every case makes its own topic and group.
import kafkajs from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import type { BusMessage } from '../../core/bus.ts';
import { silentLogger } from '../../core/logger.ts';
import { runBusContract } from '../../ingest/bus/bus-contract.ts';
import { createBus } from '../../ingest/bus/index.ts';
import { createKafkaBus } from '../../ingest/bus/kafka.ts';
import { deleteOwnTopics } from '../../ingest/bus/test-topics.ts';
import { describeWithService, serviceUrl, uniqueName, waitFor } from '../services.ts';

const brokers = () => (serviceUrl('KAFKA_BROKERS') ?? '').split(',').map((b) => b.trim()).filter(Boolean);

afterAll(() => deleteOwnTopics(brokers()).catch(() => undefined));

describeWithService('KAFKA_BROKERS', 'kafka bus: the shared contract', () => {
  runBusContract('kafka', {
    makeBus: () => createKafkaBus({ brokers: brokers(), clientId: 'quanguard-contract', logger: silentLogger, partitions: 8, topics: [], sessionTimeoutMs: 6_000 }),
    slackMs: 15_000,
  });
});

describeWithService('KAFKA_BROKERS', 'kafka bus: configuration', () => {
  it('fails with a clear error, and no embedded fallback, when the configured Kafka is unreachable', async () => {
    const config = { kafka: { brokers: ['127.0.0.1:1'], clientId: 'quanguard-unreachable', topicPrefix: 'quanguard' } };
    await expect(createBus(config, silentLogger)).rejects.toThrow(/cannot reach the brokers 127\.0\.0\.1:1.*no fallback/);
  });

  it('keeps the group membership through a batch longer than the session timeout (heartbeats)', async () => {
    const bus = await createKafkaBus({ brokers: brokers(), clientId: 'quanguard-heartbeat', logger: silentLogger, partitions: 2, topics: [], sessionTimeoutMs: 6_000 });
    const topic = uniqueName('heartbeat');
    const groupId = uniqueName('g');
    await bus.publish(topic, Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: String(i) })));
    const seen: string[] = [];
    let calls = 0;
    const sub = await bus.subscribe({
      topic, groupId, maxBatchSize: 100, maxWaitMs: 50,
      handleBatch: async (ms) => {
        // The work of a slow batch: longer than the 6 s session timeout.
        if (calls++ === 0) await new Promise((r) => setTimeout(r, 8_000));
        seen.push(...ms.map((m) => m.value));
      },
    });
    await waitFor(async () => (await bus.lag(topic, groupId)) === 0, { timeoutMs: 40_000, what: 'lag 0' });
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => String(i)).sort());
    await sub.stop();
    await bus.close();
  }, 60_000);

  it('splits a publish bigger than a record batch may be, keeping the order of its one key', async () => {
    const bus = await createKafkaBus({ brokers: brokers(), clientId: 'quanguard-big', logger: silentLogger, partitions: 2, topics: [] });
    const topic = uniqueName('big');
    const groupId = uniqueName('g');
    const pad = 'x'.repeat(1_000);
    // 4,000 messages of ~1 KB on one key: 4 MB for one partition, four times message.max.bytes.
    await bus.publish(topic, Array.from({ length: 4_000 }, (_, i) => ({ key: 'one-merchant', value: `${i} ${pad}` })));
    const seen: number[] = [];
    const sub = await bus.subscribe({ topic, groupId, maxBatchSize: 1_000, maxWaitMs: 50, handleBatch: async (ms) => void seen.push(...ms.map((m) => Number(m.value.split(' ')[0]))) });
    await waitFor(() => seen.length >= 4_000, { timeoutMs: 30_000, what: '4,000 messages' });
    expect(seen).toEqual(Array.from({ length: 4_000 }, (_, i) => i));
    await sub.stop();
    await bus.close();
  });

  it('puts the quanguard topics under the configured prefix', async () => {
    const prefix = uniqueName('qgprefix');
    const prefixed = await createKafkaBus({ brokers: brokers(), clientId: 'quanguard-prefix', topicPrefix: prefix, logger: silentLogger, partitions: 2 });
    const plain = await createKafkaBus({ brokers: brokers(), clientId: 'quanguard-plain', logger: silentLogger, partitions: 2, topics: [] });
    await prefixed.publish('quanguard.events.v1', [{ key: 'k', value: 'hello' }]);
    const seen: BusMessage[] = [];
    const sub = await plain.subscribe({ topic: `${prefix}.events.v1`, groupId: uniqueName('g'), maxWaitMs: 50, handleBatch: async (ms) => void seen.push(...ms) });
    await waitFor(() => seen.length === 1, { timeoutMs: 30_000, what: 'the prefixed message' });
    expect(seen[0]).toMatchObject({ topic: `${prefix}.events.v1`, key: 'k', value: 'hello' });
    const admin = new kafkajs.Kafka({ clientId: 'quanguard-prefix-check', brokers: brokers(), logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics, 'events and dead letters created up front under the prefix').toEqual(expect.arrayContaining([`${prefix}.events.v1`, `${prefix}.deadletter.v1`]));
    await sub.stop();
    await Promise.all([prefixed.close(), plain.close()]);
  });

  it('createBus picks kafka when it is configured', async () => {
    const bus = await createBus({ kafka: { brokers: brokers(), clientId: 'quanguard-pick', topicPrefix: 'quanguard' } }, silentLogger);
    expect(bus.backend).toBe('kafka');
    await bus.close();
  });
});
