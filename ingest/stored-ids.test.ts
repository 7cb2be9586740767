// The stored-id filter may only ever err towards "ask the store": no stored id may be missed,
// whatever bytes it holds and however many ids arrive.
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { silentLogger } from '../core/logger.ts';
import { uniqueName, waitFor } from '../test/services.ts';
import { createEmbeddedBus } from './bus/embedded.ts';
import { startIngest } from './ingester.ts';
import { keyOfLine } from './message-key.ts';
import { addOutcome, emptyOutcome } from './outcome.ts';
import { eventRow, EVENT_TABLES } from './store/rows.ts';
import { chTime } from './store/time.ts';
import { loadStoredIds, StoredIds } from './stored-ids.ts';
import { generateEvents } from './testing/events.ts';
import { openTestStore, type TestStore } from './testing/store.ts';

let store: TestStore | undefined;
afterEach(async () => {
  await store?.dispose();
  store = undefined;
});

describe('StoredIds', () => {
  it('never misses an added id while it grows, and rules out almost every other id', () => {
    const ids = new StoredIds();
    const added = Array.from({ length: 300_000 }, (_, i) => `evt_${i.toString(36)}_x`);
    for (const id of added) ids.add(id);
    expect(ids.size).toBe(added.length);
    expect(added.filter((id) => !ids.mightHave(id))).toEqual([]);
    const others = Array.from({ length: 100_000 }, (_, i) => `evt_${i.toString(36)}_y`);
    const falsePositives = others.filter((id) => ids.mightHave(id)).length;
    expect(falsePositives / others.length).toBeLessThan(0.03);
  });
});

describe('loadStoredIds', () => {
  it('reads every stored event and dead-letter id exactly, including ids with newline, tab or backslash', async () => {
    store = await openTestStore();
    const odd = ['evt_a', 'evt\nb', 'evt\tc', 'evt\\d', "evt'e", 'evt\x1ff', '事件_g'];
    await store.insert('eligibility_v1', odd.map((eventId) => ({ eventId, occurredAt: chTime(0), campaignId: 'cmp_1', userId: 'usr_1', idHash: 'ab'.repeat(16), phoneHash: 'cd'.repeat(16) })));
    const claim = generateEvents(new Rng('stored-ids'), 3000, { merchants: 5 }).find((e) => e.type === 'claim')!;
    await store.insert(EVENT_TABLES.claim, [eventRow(claim)]);
    await store.insert('dead_letters_v1', [{ deadLetterId: 'dlq_1\n2', receivedAt: chTime(0), eventId: '', eventType: '', field: 'x', reason: 'y', raw: '', rawBytes: 0, topic: 't', partition: 0, offset: '0' }]);
    const ids = await loadStoredIds(store);
    for (const id of [...odd, claim.eventId, 'dlq_1\n2']) expect(ids.mightHave(id), JSON.stringify(id)).toBe(true);
    expect(ids.size).toBe(odd.length + 2);
  });

  it('makes an ingester started on a store that already holds events count them as duplicates', async () => {
    store = await openTestStore();
    const events = generateEvents(new Rng('stored-ids-restart'), 2000, { merchants: 20 });
    const before = events.slice(0, 1200);
    for (const [table, rows] of groupRows(before)) await store.insert(table, rows);
    const bus = createEmbeddedBus({ partitions: 4 });
    const total = emptyOutcome();
    const topic = uniqueName('events');
    const sub = await startIngest({ bus, store, logger: silentLogger, topic, deadLetterTopic: uniqueName('dlq'), groupId: uniqueName('ingest'), maxBatchSize: 500, maxWaitMs: 10, onBatch: (o) => addOutcome(total, o) });
    const lines = events.map((e) => JSON.stringify(e));
    await bus.publish(topic, lines.map((value) => ({ key: keyOfLine(value), value })));
    await waitFor(async () => total.messages === events.length, { what: 'all messages ingested' });
    await sub.stop();
    await bus.close();
    expect({ accepted: total.accepted, duplicate: total.duplicate }).toEqual({ accepted: 800, duplicate: 1200 });
  });
});

function groupRows(events: ReturnType<typeof generateEvents>) {
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const e of events) {
    const t = EVENT_TABLES[e.type];
    (byTable.get(t) ?? byTable.set(t, []).get(t)!).push(eventRow(e));
  }
  return byTable;
}
