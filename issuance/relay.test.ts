import { describe, expect, it } from 'vitest';
import { TOPICS } from '../core/bus.ts';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { waitFor } from '../test/services.ts';
import { createRelay } from './relay.ts';
import { MemoryIssuanceStore } from './state/memory.ts';
import { T0 } from './testing/fixtures.ts';
import { RecordingBus } from './testing/recording-bus.ts';

const event = (i: number) => JSON.stringify({ eventId: `evt_${i}`, occurredAt: '2026-05-01T10:00:00.000+08:00', type: 'refund', refundId: `rfd_${i}`, orderId: `ord_${i}`, merchantId: `mch_${i % 3}`, userId: 'usr_1', refundFen: 100, couponReturned: false });

describe('outbox relay', () => {
  it('keeps running through bus failures and delivers everything, keyed by the partition key', async () => {
    const clock = new ManualClock(T0);
    const store = new MemoryIssuanceStore(clock);
    for (let i = 0; i < 30; i++) store.outbox.append('campaign:cmp_a', event(i));
    const bus = new RecordingBus();
    bus.failNext = 2;
    const relay = createRelay({ outbox: store.outbox, bus, logger: silentLogger, consumer: 'r1', batchSize: 10, minIdleMs: 0, idleWaitMs: 5, trimEveryMs: 0 });
    relay.start();
    await waitFor(() => bus.eventIds(TOPICS.events).length >= 30 || undefined, { what: 'all 30 events relayed', timeoutMs: 10_000 });
    await relay.stop();
    expect(new Set(bus.eventIds(TOPICS.events)).size).toBe(30);
    expect(bus.published.every((p) => p.message.key === JSON.parse(p.message.value).merchantId)).toBe(true);
    expect(await store.outbox.backlog('relay')).toBe(0);
    // trimEveryMs 0: the relay dropped what it had delivered.
    expect(await store.outbox.trim('campaign:cmp_a', 'relay')).toBe(0);
  });

  it('sends entries that are not contract events to the dead-letter topic with the reason', async () => {
    const store = new MemoryIssuanceStore(new ManualClock(T0));
    store.outbox.append('global', '{"type":"claim","eventId":"evt_bad"}');
    store.outbox.append('global', event(1));
    const bus = new RecordingBus();
    expect(await createRelay({ outbox: store.outbox, bus, logger: silentLogger, consumer: 'r' }).runOnce()).toBe(2);
    expect(bus.eventIds(TOPICS.events)).toEqual(['evt_1']);
    const dead = bus.published.filter((p) => p.topic === TOPICS.deadLetter).map((p) => JSON.parse(p.message.value));
    expect(dead).toMatchObject([{ source: 'issuance-outbox', reason: { field: expect.any(String) } }]);
  });
});
