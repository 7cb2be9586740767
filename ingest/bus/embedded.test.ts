import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../../core/bus.ts';
import { waitFor } from '../../test/services.ts';
import { runBusContract } from './bus-contract.ts';
import { createEmbeddedBus } from './embedded.ts';

describe('embedded bus: the shared contract', () => {
  runBusContract('embedded', { makeBus: async () => createEmbeddedBus({ retryBackoff: { initialMs: 20, maxMs: 200 } }), slackMs: 0 });
});

const msgs = (n: number, tag = 'm') => Array.from({ length: n }, (_, i) => ({ key: `${tag}${i % 7}`, value: String(i) }));

describe('embedded bus: bounded buffer', () => {
  it('makes publish wait while the buffer is full, then lets it through in order once a consumer commits', async () => {
    const bus = createEmbeddedBus({ partitions: 4, capacity: 10 });
    let resolved = false;
    const publishing = bus.publish('t', msgs(30)).then(() => (resolved = true));
    await waitFor(() => bus.stats('t').buffered === 10 && bus.stats('t').waitingPublishers === 1, { what: 'a full buffer' });
    expect(resolved, 'publish is still waiting on a full buffer').toBe(false);
    expect(await bus.lag('t', 'g')).toBe(10);

    const got: BusMessage[] = [];
    const sub = await bus.subscribe({ topic: 't', groupId: 'g', maxBatchSize: 4, maxWaitMs: 10, handleBatch: async (b) => void got.push(...b) });
    await publishing;
    await waitFor(async () => got.length === 30 && (await bus.lag('t', 'g')) === 0, { what: '30 delivered' });
    const byKey = new Map<string, number[]>();
    for (const m of got) byKey.set(m.key, [...(byKey.get(m.key) ?? []), Number(m.value)]);
    for (const [key, vals] of byKey) expect(vals, key).toEqual([...vals].sort((a, b) => a - b));
    expect(bus.stats('t').buffered, 'committed messages leave memory').toBe(0);
    await sub.stop();
    await bus.close();
  });

  it('keeps messages until every group has committed them', async () => {
    const bus = createEmbeddedBus({ partitions: 2, capacity: 100 });
    let slowOpen = false;
    const fast = await bus.subscribe({ topic: 't', groupId: 'fast', maxBatchSize: 100, maxWaitMs: 0, handleBatch: async () => undefined });
    const slow = await bus.subscribe({
      topic: 't', groupId: 'slow', maxBatchSize: 100, maxWaitMs: 0,
      handleBatch: async () => {
        if (!slowOpen) throw new Error('not yet');
      },
    });
    await bus.publish('t', msgs(20));
    await waitFor(async () => (await bus.lag('t', 'fast')) === 0, { what: 'fast group done' });
    expect(bus.stats('t').buffered).toBe(20);
    slowOpen = true;
    await waitFor(() => bus.stats('t').buffered === 0, { what: 'retention after the slow group commits' });
    await Promise.all([fast.stop(), slow.stop()]);
    await bus.close();
  });

  it('rejects bad input with the field and the reason', async () => {
    const bus = createEmbeddedBus();
    await expect(bus.publish('t', [{ key: 1 as unknown as string, value: 'x' }])).rejects.toThrow(/messages\.0\.key must be a string/);
    await expect(bus.subscribe({ topic: 't', groupId: 'g', maxBatchSize: 0, handleBatch: async () => undefined })).rejects.toThrow(/maxBatchSize/);
    expect(() => createEmbeddedBus({ capacity: -1 })).toThrow(/capacity/);
    await bus.close();
    await expect(bus.publish('t', msgs(1))).rejects.toThrow(/closed/);
  });

  it('a waiting publisher fails clearly when the bus closes', async () => {
    const bus = createEmbeddedBus({ capacity: 1 });
    const publishing = bus.publish('t', msgs(3));
    await waitFor(() => bus.stats('t').waitingPublishers === 1, { what: 'a waiting publisher' });
    await bus.close();
    await expect(publishing).rejects.toThrow(/closed/);
  });
});
