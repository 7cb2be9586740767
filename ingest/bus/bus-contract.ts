// One contract suite for every EventBus: ingest/bus/embedded.test.ts and
// test/integration/bus-contract-kafka.test.ts run exactly these cases, each on its own topic.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusMessage, EventBus, OutgoingMessage, Subscription } from '../../core/bus.ts';
import { uniqueName, waitFor } from '../../test/services.ts';

export interface ContractSetup {
  makeBus(): Promise<EventBus>;
  /** Extra time a real broker needs (group joins, rebalances). */
  slackMs: number;
}

function keyed(keys: number, perKey: number, tag: string): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (let seq = 0; seq < perKey; seq++) {
    for (let k = 0; k < keys; k++) out.push({ key: `${tag}-k${k}`, value: JSON.stringify({ k, seq, id: `${tag}-${k}-${seq}` }) });
  }
  return out;
}

const idOf = (m: BusMessage): string => (JSON.parse(m.value) as { id: string }).id;
const idsOf = (ms: OutgoingMessage[]): string[] => ms.map((m) => (JSON.parse(m.value) as { id: string }).id);

export function runBusContract(name: string, setup: ContractSetup): void {
  let bus: EventBus;
  const subs: Subscription[] = [];
  const timeoutMs = 20_000 + setup.slackMs;
  const subscribe = async (...args: Parameters<EventBus['subscribe']>) => {
    const s = await bus.subscribe(...args);
    subs.push(s);
    return s;
  };

  beforeAll(async () => {
    bus = await setup.makeBus();
  });
  afterAll(async () => {
    await Promise.all(subs.map((s) => s.stop().catch(() => undefined)));
    await bus?.close();
  });

  it(`${name}: keeps each key's messages in order and on one partition`, async () => {
    const topic = uniqueName('order');
    const msgs = keyed(30, 20, 'o');
    for (let i = 0; i < msgs.length; i += 150) await bus.publish(topic, msgs.slice(i, i + 150));
    const got: BusMessage[] = [];
    await subscribe({ topic, groupId: uniqueName('g'), maxBatchSize: 50, maxWaitMs: 50, handleBatch: async (b) => void got.push(...b) });
    await waitFor(() => got.length >= msgs.length, { timeoutMs, what: `${msgs.length} messages (have ${got.length})` });
    expect(got).toHaveLength(msgs.length);
    const byKey = new Map<string, BusMessage[]>();
    for (const m of got) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m]);
    expect(byKey.size).toBe(30);
    for (const [key, ms] of byKey) {
      expect(ms.map((m) => (JSON.parse(m.value) as { seq: number }).seq), `order of ${key}`).toEqual([...Array(20).keys()]);
      expect(new Set(ms.map((m) => m.partition)).size, `partitions of ${key}`).toBe(1);
      const offsets = ms.map((m) => Number(m.offset));
      expect(offsets, `offsets of ${key} increase`).toEqual([...offsets].sort((a, b) => a - b));
    }
    expect(new Set(got.map((m) => m.partition)).size).toBeGreaterThan(1);
    expect(got.every((m) => m.topic === topic)).toBe(true);
  });

  it(`${name}: delivers a batch again when handleBatch rejects, then moves on`, async () => {
    const topic = uniqueName('redeliver');
    const groupId = uniqueName('g');
    const msgs = keyed(8, 5, 'r');
    await bus.publish(topic, msgs);
    const failed: string[][] = [];
    const done = new Set<string>();
    let calls = 0;
    await subscribe({
      topic, groupId, maxBatchSize: 10, maxWaitMs: 50,
      handleBatch: async (b) => {
        calls++;
        if (failed.length < 2) {
          failed.push(b.map(idOf));
          throw new Error('store unavailable (injected)');
        }
        for (const m of b) done.add(idOf(m));
      },
    });
    await waitFor(async () => done.size === msgs.length && (await bus.lag(topic, groupId)) === 0, { timeoutMs, what: `all delivered after failures (have ${done.size})` });
    expect(failed).toHaveLength(2);
    expect(calls).toBeGreaterThanOrEqual(3);
    for (const batch of failed) for (const id of batch) expect(done.has(id), `${id} redelivered`).toBe(true);
    expect([...done].sort()).toEqual(idsOf(msgs).sort());
  });

  it(`${name}: commits only after success, so the group resumes right after the last committed batch`, async () => {
    const topic = uniqueName('resume');
    const groupId = uniqueName('g');
    const msgs = keyed(10, 10, 'c');
    await bus.publish(topic, msgs);
    const committed: string[] = [];
    let rejected = 0;
    let ok = 0;
    const first = await subscribe({
      topic, groupId, maxBatchSize: 10, maxWaitMs: 50,
      handleBatch: async (b) => {
        if (ok >= 3) {
          rejected++;
          throw new Error('crash before the write (injected)');
        }
        ok++;
        committed.push(...b.map(idOf));
      },
    });
    await waitFor(() => rejected > 0, { timeoutMs, what: 'a rejected batch' });
    await first.stop();
    expect(committed).toHaveLength(30);
    expect(await bus.lag(topic, groupId)).toBe(msgs.length - committed.length);

    const resumed: string[] = [];
    await subscribe({ topic, groupId, maxBatchSize: 10, maxWaitMs: 50, handleBatch: async (b) => void resumed.push(...b.map(idOf)) });
    await waitFor(async () => (await bus.lag(topic, groupId)) === 0, { timeoutMs, what: 'lag 0 after resume' });
    const before = new Set(committed);
    expect(resumed.filter((id) => before.has(id)), 'nothing committed is delivered again').toEqual([]);
    expect(new Set(resumed).size, 'no duplicates').toBe(resumed.length);
    expect([...committed, ...resumed].sort(), 'nothing skipped').toEqual(idsOf(msgs).sort());
  });

  it(`${name}: two consumers in one group split the partitions without losing a message`, async () => {
    const topic = uniqueName('split');
    const groupId = uniqueName('g');
    const a: string[] = [];
    const b: string[] = [];
    const published: string[] = [];
    await subscribe({ topic, groupId, maxBatchSize: 25, maxWaitMs: 50, handleBatch: async (ms) => void a.push(...ms.map(idOf)) });
    await subscribe({ topic, groupId, maxBatchSize: 25, maxWaitMs: 50, handleBatch: async (ms) => void b.push(...ms.map(idOf)) });
    // A broker rebalances only after the first member's next heartbeat: keep publishing until both
    // consumers have received something, then check that nothing went missing.
    let round = 0;
    await waitFor(async () => {
      const msgs = keyed(16, 3, `s${round++}`);
      await bus.publish(topic, msgs);
      published.push(...idsOf(msgs));
      return a.length > 0 && b.length > 0;
    }, { timeoutMs, intervalMs: 250, what: 'both consumers received messages' });
    await waitFor(async () => (await bus.lag(topic, groupId)) === 0, { timeoutMs, what: 'lag 0' });
    const seen = new Set([...a, ...b]);
    expect(published.filter((id) => !seen.has(id)), 'lost messages').toEqual([]);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
  });

  it(`${name}: lag counts published but uncommitted messages and reaches 0`, async () => {
    const topic = uniqueName('lag');
    const groupId = uniqueName('g');
    await bus.publish(topic, keyed(5, 10, 'l'));
    expect(await bus.lag(topic, groupId)).toBe(50);
    await subscribe({ topic, groupId, maxBatchSize: 20, maxWaitMs: 50, handleBatch: async () => undefined });
    await waitFor(async () => (await bus.lag(topic, groupId)) === 0, { timeoutMs, what: 'lag 0' });
    await bus.publish(topic, keyed(2, 2, 'l2'));
    await waitFor(async () => (await bus.lag(topic, groupId)) === 0, { timeoutMs, what: 'lag 0 again' });
  });

  it(`${name}: honours maxBatchSize, and maxWaitMs hands over a part-filled batch`, async () => {
    const topic = uniqueName('limits');
    const groupId = uniqueName('g');
    await bus.publish(topic, keyed(5, 19, 'b'));
    const sizes: number[] = [];
    const arrivals: { at: number; ids: string[] }[] = [];
    await subscribe({
      topic, groupId, maxBatchSize: 10, maxWaitMs: 300,
      handleBatch: async (ms) => {
        sizes.push(ms.length);
        arrivals.push({ at: Date.now(), ids: ms.map(idOf) });
      },
    });
    await waitFor(() => sizes.reduce((s, n) => s + n, 0) >= 95, { timeoutMs, what: '95 messages' });
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(sizes).toContain(10);
    expect(sizes.reduce((s, n) => s + n, 0)).toBe(95);

    const late = keyed(3, 1, 'late');
    const t0 = Date.now();
    await bus.publish(topic, late);
    await waitFor(() => idsOf(late).every((id) => arrivals.some((a) => a.ids.includes(id))), { timeoutMs, what: 'the part-filled batch' });
    const lastAt = Math.max(...arrivals.filter((a) => a.ids.some((id) => id.startsWith('late'))).map((a) => a.at));
    expect(lastAt - t0, 'handed over within maxWaitMs plus slack').toBeLessThan(300 + 1_000 + setup.slackMs);
  });

  it(`${name}: stop() lets the in-flight batch finish and commits it, and starts no new one`, async () => {
    const topic = uniqueName('stop');
    const groupId = uniqueName('g');
    await bus.publish(topic, keyed(6, 5, 'x'));
    let calls = 0;
    let inFlight = 0;
    let finished = false;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const sub = await subscribe({
      topic, groupId, maxBatchSize: 10, maxWaitMs: 50,
      handleBatch: async (ms) => {
        calls++;
        inFlight = ms.length;
        await gate;
        finished = true;
      },
    });
    await waitFor(() => calls === 1, { timeoutMs, what: 'the first batch in flight' });
    const stopping = sub.stop();
    setTimeout(open, 100);
    await stopping;
    expect(finished, 'the in-flight batch finished before stop() resolved').toBe(true);
    expect(calls).toBe(1);
    expect(await bus.lag(topic, groupId)).toBe(30 - inFlight);
  });
}
