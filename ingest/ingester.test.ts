// The ingester on the embedded bus: every valid event stored once and counted once in the rollup,
// whatever the redelivery; every bad message dead-lettered with its field and reason.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TOPICS, type BusMessage, type Subscription } from '../core/bus.ts';
import type { QuanguardEvent } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { Rng } from '../core/rng.ts';
import { uniqueName, waitFor } from '../test/services.ts';
import { createEmbeddedBus } from './bus/embedded.ts';
import { createKafkaBus } from './bus/kafka.ts';
import type { EventBus } from '../core/bus.ts';
import { startIngest } from './ingester.ts';
import { keyOfLine } from './message-key.ts';
import { addOutcome, emptyOutcome } from './outcome.ts';
import type { EventProcessor } from './pipeline.ts';
import { generateEvents } from './testing/events.ts';
import { openTestStore, type TestStore } from './testing/store.ts';

let store: TestStore | undefined;
let bus: EventBus | undefined;
const subs: Subscription[] = [];
afterEach(async () => {
  for (const s of subs.splice(0)) await s.stop();
  await bus?.close();
  await store?.dispose();
  store = undefined;
  bus = undefined;
});

const count = z.object({ n: z.number() });
const lines = (events: QuanguardEvent[]) => events.map((e) => JSON.stringify(e));
const publish = (b: EventBus, topic: string, ls: string[]) => b.publish(topic, ls.map((value) => ({ key: keyOfLine(value), value })));

// The same suite on both buses: embedded always, Kafka when a broker is configured.
const brokers = process.env.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean);
const BUSES: [string, () => Promise<EventBus>][] = [
  ['embedded', async () => createEmbeddedBus({ partitions: 4, retryBackoff: { initialMs: 5, maxMs: 20 } })],
  ...(brokers?.length ? [['kafka', () => createKafkaBus({ brokers, clientId: 'qg-ingest-test', partitions: 4, logger: silentLogger, sessionTimeoutMs: 6_000 })] as [string, () => Promise<EventBus>]] : []),
];
let makeBus: () => Promise<EventBus> = BUSES[0]![1];

async function setup(opts: { processors?: EventProcessor[]; wrapStore?: (s: TestStore) => TestStore } = {}) {
  store = await openTestStore();
  bus = await makeBus();
  const topic = uniqueName('events');
  const deadLetterTopic = uniqueName('dlq');
  const total = emptyOutcome();
  const sub = await startIngest({
    bus,
    store: opts.wrapStore ? opts.wrapStore(store) : store,
    logger: silentLogger,
    topic,
    deadLetterTopic,
    groupId: uniqueName('ingest'),
    maxBatchSize: 500,
    maxWaitMs: 20,
    processors: opts.processors,
    onBatch: (o) => addOutcome(total, o),
  });
  subs.push(sub);
  return { topic, deadLetterTopic, total, bus, store };
}

async function rowCount(s: TestStore, table: string, final = false) {
  return (await s.query(`SELECT count() AS n FROM {{db}}.${table}${final ? ' FINAL' : ''}`, {}, count))[0]!.n;
}

async function rollupTotals(s: TestStore) {
  return (await s.query('SELECT sum(claims) AS claims, sum(redemptions) AS redemptions, sum(refunds) AS refunds, sum(discountFen) AS discountFen FROM {{db}}.daily_rollup_v1', {}, z.object({ claims: z.number(), redemptions: z.number(), refunds: z.number(), discountFen: z.number() })))[0]!;
}

function expected(events: QuanguardEvent[]) {
  const by = (t: string) => events.filter((e) => e.type === t).length;
  const discountFen = events.reduce((s, e) => s + (e.type === 'redemption' ? e.discountFen : 0), 0);
  return { claims: by('claim'), redemptions: by('redemption'), refunds: by('refund'), discountFen };
}

describe.each(BUSES)('startIngest on the %s bus', (_name, factory) => {
  beforeEach(() => {
    makeBus = factory;
  });

  it('stores every event once and the second delivery of the same events as duplicates', async () => {
    const { topic, total, bus: b, store: s } = await setup();
    const events = generateEvents(new Rng('ingest-1'), 3000, { merchants: 50 });
    await publish(b, topic, lines(events));
    await waitFor(() => total.messages === 3000, { timeoutMs: 60_000, what: 'first pass consumed' });
    expect(total.accepted).toBe(3000);
    await publish(b, topic, lines(events));
    await waitFor(() => total.messages === 6000, { timeoutMs: 60_000, what: 'second pass consumed' });
    expect(total).toMatchObject({ accepted: 3000, duplicate: 3000, deadLettered: 0 });
    expect(await rowCount(s, 'claims_v1')).toBe(events.filter((e) => e.type === 'claim').length);
    expect(await rowCount(s, 'redemptions_v1')).toBe(events.filter((e) => e.type === 'redemption').length);
    expect(await rollupTotals(s)).toEqual(expected(events));
  });

  it('a batch that fails after some tables were written is redelivered and stored exactly once', async () => {
    let failures = 0;
    const wrapStore = (s: TestStore): TestStore => ({
      ...s,
      // The crash window: claims (or whatever table comes first) inserted, the next table fails.
      insert: async (table, rows) => {
        await s.insert(table, rows);
        if (failures < 3 && table === 'redemptions_v1') {
          failures++;
          throw new Error('simulated crash after the redemptions insert');
        }
      },
    });
    const { topic, total, bus: b, store: s } = await setup({ wrapStore });
    const events = generateEvents(new Rng('ingest-crash'), 2000, { merchants: 30 });
    await publish(b, topic, lines(events));
    await waitFor(async () => (await rowCount(s, 'redemptions_v1')) === events.filter((e) => e.type === 'redemption').length && total.messages >= 2000, { timeoutMs: 60_000, what: 'all stored' });
    expect(failures).toBe(3);
    // Failed passes report nothing; the successful pass finds what the failed ones had written.
    expect(total.messages).toBe(2000);
    expect(total.accepted + total.duplicate).toBe(2000);
    expect(total.duplicate).toBeGreaterThan(0);
    for (const table of ['claims_v1', 'redemptions_v1', 'refunds_v1', 'merchants_v1']) expect(await rowCount(s, table)).toBe(await rowCount(s, table, true));
    expect(await rowCount(s, 'claims_v1')).toBe(events.filter((e) => e.type === 'claim').length);
    expect(await rollupTotals(s)).toEqual(expected(events));
  });

  it('a failing processor makes the batch come again without storing anything twice', async () => {
    const seen: string[] = [];
    let failOnce = true;
    const processor: EventProcessor = {
      name: 'flaky',
      async process(events) {
        if (failOnce) {
          failOnce = false;
          throw new Error('flaky processor');
        }
        for (const e of events) seen.push(e.eventId);
      },
    };
    const { topic, total, bus: b, store: s } = await setup({ processors: [processor] });
    const events = generateEvents(new Rng('ingest-proc'), 800, { merchants: 10 });
    await publish(b, topic, lines(events));
    await waitFor(async () => (await rowCount(s, 'claims_v1')) + (await rowCount(s, 'redemptions_v1')) + (await rowCount(s, 'refunds_v1')) + (await rowCount(s, 'merchants_v1')) === 800 && total.accepted + total.duplicate >= 800, { timeoutMs: 60_000, what: 'stored' });
    expect(new Set(seen).size).toBe(seen.length);
    expect(await rollupTotals(s)).toEqual(expected(events));
  });

  it('a row the store refuses as data becomes a dead letter; the rest of its batch is stored', async () => {
    const poison = 'evt_poison';
    const wrapStore = (s: TestStore): TestStore => ({
      ...s,
      insert: async (table, rows) => {
        // Rows come as objects or as value arrays under a column list (store/rows.ts RowValues).
        const ids = 'columns' in rows ? rows.map((r) => r[rows.columns.indexOf('eventId')]) : rows.map((r) => r.eventId);
        if (table !== 'dead_letters_v1' && ids.includes(poison)) throw Object.assign(new Error('Cannot parse input: expected \'"\' before: ...'), { type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });
        await s.insert(table, rows);
      },
    });
    const { topic, total, bus: b, store: s } = await setup({ wrapStore });
    const events = generateEvents(new Rng('ingest-poison'), 300, { merchants: 5 });
    const victim = events.find((e) => e.type === 'claim')!;
    victim.eventId = poison;
    await publish(b, topic, lines(events));
    await waitFor(() => total.messages === 300, { timeoutMs: 60_000, what: 'consumed' });
    expect(total).toMatchObject({ accepted: 299, deadLettered: 1, deadLetterFields: { '(store)': 1 } });
    const letters = await s.query('SELECT eventId, reason FROM {{db}}.dead_letters_v1', {}, z.object({ eventId: z.string(), reason: z.string() }));
    expect(letters).toEqual([{ eventId: poison, reason: expect.stringMatching(/^was refused by the store: Cannot parse input/) }]);
    expect(await rowCount(s, 'claims_v1')).toBe(events.filter((e) => e.type === 'claim').length - 1);
  });

  it('finds two refused rows in a block by halving it, not by inserting row by row', async () => {
    const poison = new Set(['evt_poison_a', 'evt_poison_b']);
    let claimInserts = 0;
    const wrapStore = (s: TestStore): TestStore => ({
      ...s,
      insert: async (table, rows) => {
        const ids = 'columns' in rows ? rows.map((r) => r[rows.columns.indexOf('eventId')]) : rows.map((r) => r.eventId);
        if (table === 'claims_v1') claimInserts++;
        if (table !== 'dead_letters_v1' && ids.some((id) => poison.has(String(id)))) throw Object.assign(new Error('Cannot parse input'), { type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });
        await s.insert(table, rows);
      },
    });
    const { topic, total, bus: b, store: s } = await setup({ wrapStore });
    const events = generateEvents(new Rng('ingest-poison-2'), 600, { merchants: 5 });
    const claims = events.filter((e) => e.type === 'claim');
    claims[3]!.eventId = 'evt_poison_a';
    claims[claims.length - 5]!.eventId = 'evt_poison_b';
    await publish(b, topic, lines(events));
    await waitFor(() => total.messages === 600, { timeoutMs: 60_000, what: 'consumed' });
    expect(total).toMatchObject({ accepted: 598, deadLettered: 2, deadLetterFields: { '(store)': 2 } });
    expect(await rowCount(s, 'claims_v1')).toBe(claims.length - 2);
    // Per batch: the block, then for each bad row about two INSERTs per halving.
    expect(claims.length).toBeGreaterThan(150);
    expect(claimInserts).toBeLessThan(4 * (2 * Math.ceil(Math.log2(claims.length)) + 1));
  });

  it('dead-letters bad messages to the topic and the table with field and reason, once per distinct message', async () => {
    const { topic, deadLetterTopic, total, bus: b, store: s } = await setup();
    const valid = generateEvents(new Rng('ingest-dl'), 20, { merchants: 5 });
    const bad = [
      '{"eventId":"evt_x1","type":"claim"',
      JSON.stringify({ ...valid[10], type: 'coupon.melted' }),
      JSON.stringify({ ...valid.find((e) => e.type === 'redemption'), eventId: 'evt_float', orderFen: 100.5 }),
      JSON.stringify({ ...valid[0], eventId: 'evt_year', occurredAt: '2400-01-01T00:00:00.000+08:00' }),
      'x'.repeat(70_000),
    ];
    const dlq: BusMessage[] = [];
    subs.push(await b.subscribe({ topic: deadLetterTopic, groupId: uniqueName('dlq-reader'), handleBatch: async (m) => void dlq.push(...m) }));
    await publish(b, topic, [...lines(valid), ...bad, bad[0]!]);
    await waitFor(() => total.messages === 26, { timeoutMs: 60_000, what: 'consumed' });
    expect(total).toMatchObject({ accepted: 20, deadLettered: 5, deadLetterDuplicate: 1 });
    const rows = await s.query('SELECT field, reason, eventId, rawBytes FROM {{db}}.dead_letters_v1 ORDER BY field, reason', {}, z.object({ field: z.string(), reason: z.string(), eventId: z.string(), rawBytes: z.number() }));
    expect(rows.map((r) => r.field).sort()).toEqual(['(line)', '(line)', 'occurredAt', 'orderFen', 'type']);
    expect(rows.find((r) => r.field === 'orderFen')).toMatchObject({ eventId: 'evt_float', reason: expect.stringMatching(/integer/) });
    expect(rows.find((r) => r.field === 'type')!.reason).toMatch(/unknown event type "coupon.melted"/);
    expect(rows.find((r) => r.rawBytes === 70_000)!.reason).toMatch(/70000 characters/);
    await waitFor(() => dlq.length === 5, { timeoutMs: 60_000, what: 'dead-letter topic' });
    const fields = dlq.map((m) => (JSON.parse(m.value) as { field: string }).field).sort();
    expect(fields).toEqual(['(line)', '(line)', 'occurredAt', 'orderFen', 'type']);
  });
});
