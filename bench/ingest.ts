// `npm run bench -- ingest [--events N] [--batch N]` (batch: the ingester's default, INGEST_BATCH): sustained events/s from the bus into the store
// through the ingester (decode, validate, dedup check, one insert per table), embedded bus and,
// when KAFKA_BROKERS is set, Kafka; baseline: a direct @clickhouse/client insert of the same rows,
// in the same run, on the same store backend.
//
// Where the time goes (2026-11-26, 200k events of the default mix, batch 10k, 2 cores shared and
// busy, so +-30% between runs; CPU time is steadier than wall time):
// * Main thread, per 200k: decode 2.3 s before the fast path (JSON.parse 1.1, zod 1.0, calendar
//   checks 0.25), 1.3 s after (ingest/decode-fast.ts); rows to JSONCompactEachRow 0.8 s; eventRow
//   0.2 s; GC about 1.3 s during ingest (node --cpu-prof).
// * chdb, per 200k: the inserts ~2.3-2.6 s, of which the rollup views (with their merchants JOIN)
//   ~0.35 s (same inserts with the views dropped); the stored-id check ~1.2 s before (60-75 ms a
//   batch, 16 ms of it building the id set; every 4000-id chunk re-read the table) and ~0.9 s with
//   one set per table on chdb (ingest/dedup.ts). Skip indexes neither help nor hurt at 10k ids.
// * Tried and no measurable change within that noise: dropping the eventId bloom filters,
//   optimize_on_insert = 0, input_format_parallel_parsing = 0, a narrow id table keyed by eventId
//   for the stored-id check, bounding that check by the batch's occurredAt span (the sort keys lead
//   with merchant or campaign, so it prunes nothing yet), building insert rows as arrays.
// * After the decode fast path the main thread is idle ~1/3 of the ingest window (profile): it
//   waits on chdb, which shares the two cores with it and with the neighbours.
// * So the ingester spends ~7.5 CPU-s per 200k (about 26k events per CPU-second), the direct insert
//   ~5.5: on a machine whose neighbours leave about one core free, that CPU figure is the ceiling.
// Later (07:00-07:45, load 25-37, details and the A/B figures in ingest/README.md):
// * About half of chdb's insert CPU is background merges of the small parts each batch makes
//   (SYSTEM STOP MERGES halved it); larger batches make fewer parts. The two per-user bloom
//   indexes (~15% of a claims insert, read by nobody) were dropped (migration 0011).
// * The stored-id lookup now runs only for ids a Bloom filter of every stored id cannot rule out
//   (ingest/stored-ids.ts, embedded store): ratio to the direct insert went from ~0.85 to ~1.25.
// * The baseline now sends JSONCompactEachRow too (as store.insert does): JSONEachRow through
//   client.insert cost ~25% more CPU, which had flattered the ratio.
// 10:00-10:25 (H5, load 6-10): batch 50,000 / 100 ms is now the engine's default (INGEST_BATCH) and
// this bench's; no row object or line per event (store/rows.ts eventValues, one JSON.stringify per
// block): the ingester's process CPU per 300k went 6.8 -> 5.2 s, main-thread GC 1.75 -> 0.88 s
// (ingest/README.md has the A/B and the bench runs).
import { TOPICS, type EventBus, type OutgoingMessage } from '../core/bus.ts';
import { loadConfig } from '../core/config.ts';
import type { QuanguardEvent } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { Rng } from '../core/rng.ts';
import { parseArgs } from '../cli/args.ts';
import { createEmbeddedBus } from '../ingest/bus/embedded.ts';
import { createBus } from '../ingest/bus/index.ts';
import { topicDeleter } from '../ingest/bus/kafka.ts';
import { INSERT_STAGE } from '../ingest/ingest-batch.ts';
import { INGEST_BATCH, startIngest } from '../ingest/ingester.ts';
import { partitionKey } from '../core/events.ts';
import { addOutcome, emptyOutcome } from '../ingest/outcome.ts';
import { createAnalyticsStore, type AnalyticsStore } from '../ingest/store/analytics-store.ts';
import { EVENT_TABLES, eventRow } from '../ingest/store/rows.ts';
import { INSERT_SETTINGS } from '../ingest/store/settings.ts';
import { generateEvents } from '../ingest/testing/events.ts';
import { cpuUsageWithChildren } from './_cpu.ts';
import { machine, report } from './report.ts';

const PUBLISH_CHUNK = 5000;

async function freshStore(tag: string): Promise<AnalyticsStore> {
  const config = loadConfig();
  const database = `qg_bench_${tag}_${process.pid}_${Date.now().toString(36)}`;
  // Embedded: where the configuration puts it (QUANGUARD_CHDB_THREAD, as for `npm start`).
  const cfg = 'embeddedPath' in config.clickhouse ? { embeddedPath: ':memory:', database, thread: config.clickhouse.thread } : { ...config.clickhouse, database };
  const store = createAnalyticsStore(cfg, silentLogger);
  await store.migrate();
  return store;
}

async function dropStore(store: AnalyticsStore): Promise<void> {
  await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.database}` });
  await store.close();
}

/**
 * The same rows the ingester writes, inserted straight through the client, batch by batch, in the
 * cheapest JSON format the client offers (JSONCompactEachRow: rows as arrays under a column list,
 * what the ingester's store.insert sends too), so the ratio measures the ingester, not a format.
 */
async function directInsert(events: QuanguardEvent[], batch: number): Promise<{ rate: number; perCpuSecond: number }> {
  const store = await freshStore('direct');
  const batches: Map<string, { columns: string[]; rows: unknown[][] }>[] = [];
  for (let i = 0; i < events.length; i += batch) {
    const byTable = new Map<string, { columns: string[]; rows: unknown[][] }>();
    for (const e of events.slice(i, i + batch)) {
      const row = eventRow(e);
      const t = EVENT_TABLES[e.type];
      let entry = byTable.get(t);
      if (!entry) byTable.set(t, (entry = { columns: Object.keys(row), rows: [] }));
      entry.rows.push(entry.columns.map((c) => row[c]));
    }
    batches.push(byTable);
  }
  const cpu = cpuUsageWithChildren();
  const started = performance.now();
  // Tables of one batch go in at the same time, stage by stage, as the ingester writes them
  // (ingest-batch.ts INSERT_STAGE): a baseline one table after the other would be the slower one.
  for (const byTable of batches) {
    const stages: [string, { columns: string[]; rows: unknown[][] }][][] = [];
    for (const entry of byTable) (stages[INSERT_STAGE[entry[0]] ?? 0] ??= []).push(entry);
    for (const stage of stages)
      if (stage)
        await Promise.all(stage.map(([table, { columns, rows }]) =>
          store.client.insert({ table: `${store.database}.${table}`, values: rows, columns: columns as [string, ...string[]], format: 'JSONCompactEachRow', clickhouse_settings: { ...INSERT_SETTINGS } })));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuOf(cpu);
  await dropStore(store);
  return { rate: events.length / seconds, perCpuSecond: events.length / cpuSeconds };
}

/**
 * Fills the topic, then lets the ingester drain it: the sustained rate is every message over the
 * time from the moment the first batch was handed to the ingester to the end of the last one
 * (group join and the first fetch are start-up, not throughput; counting from the end of the
 * first batch instead, as this bench did before, dropped that batch's events and the work done on
 * other consumers' batches meanwhile, which flattered large batches). Publishing is timed on its
 * own: on Kafka it is the producer's cost, not ingest's.
 */
async function throughBus(bus: EventBus, messages: OutgoingMessage[], batch: number, consumers: number, tag: string): Promise<{ ingest: number; publish: number; perCpuSecond: number; meanBatch: number }> {
  const store = await freshStore(tag);
  const total = emptyOutcome();
  const topic = bus.backend === 'kafka' ? `${TOPICS.events}.bench-${Date.now().toString(36)}` : TOPICS.events;
  const publishStarted = performance.now();
  for (let i = 0; i < messages.length; i += PUBLISH_CHUNK) await bus.publish(topic, messages.slice(i, i + PUBLISH_CHUNK));
  const publishSeconds = (performance.now() - publishStarted) / 1000;
  let first: { at: number; cpu: NodeJS.CpuUsage } | undefined;
  let lastAt = 0;
  let batches = 0;
  // The bus as the ingester sees it, noting when the first batch is handed over.
  const timedBus: EventBus = {
    backend: bus.backend,
    publish: (t, m) => bus.publish(t, m),
    lag: (t, g) => bus.lag(t, g),
    close: () => bus.close(),
    subscribe: (o) =>
      bus.subscribe({
        ...o,
        handleBatch: (batchMessages) => {
          first ??= { at: performance.now(), cpu: cpuUsageWithChildren() };
          return o.handleBatch(batchMessages);
        },
      }),
  };
  const sub = await startIngest({
    bus: timedBus, store, logger: silentLogger, topic, deadLetterTopic: TOPICS.deadLetter, groupId: `bench-${tag}-${Date.now().toString(36)}`,
    maxBatchSize: batch, maxWaitMs: INGEST_BATCH.maxWaitMs, consumers,
    onBatch: (o) => {
      addOutcome(total, o);
      batches++;
      lastAt = performance.now();
    },
  });
  while (total.messages < messages.length) await new Promise((r) => setTimeout(r, 5));
  const cpuSeconds = cpuOf(first!.cpu);
  await sub.stop();
  // Best effort: a topic left behind is untidy, not a wrong figure.
  if (topic !== TOPICS.events) await topicDeleter(bus)?.(topic).catch((err: unknown) => process.stderr.write(`bench ingest: could not delete ${topic}: ${String(err)}\n`));
  if (total.accepted !== messages.length) throw new Error(`bench ingest: ${total.accepted} of ${messages.length} accepted (dead letters: ${JSON.stringify(total.deadLetterFields)})`);
  await dropStore(store);
  return { ingest: messages.length / ((lastAt - first!.at) / 1000), publish: messages.length / publishSeconds, perCpuSecond: messages.length / cpuSeconds, meanBatch: Math.round(messages.length / batches) };
}

/**
 * CPU seconds this process and its children used since `from`, every thread included (embedded
 * chdb's child process or thread; a Kafka broker is not counted). Events per CPU-second is the figure that a busy shared machine
 * distorts least: wall-clock rates there measure the neighbours as much as the code.
 */
function cpuOf(from: NodeJS.CpuUsage): number {
  const d = cpuUsageWithChildren(from);
  return (d.user + d.system) / 1e6;
}

export async function run(argv: string[]): Promise<void> {
  const { options } = parseArgs(argv);
  const count = Number(options.events ?? 200_000);
  // The engine's own batching (npm start and replay use the same defaults); --batch overrides.
  const batch = Number(options.batch ?? INGEST_BATCH.maxBatchSize);
  const consumers = Number(options.consumers ?? 2);
  machine('ingest');
  const events = generateEvents(new Rng('bench-ingest-v1'), count, { merchants: 2000, users: 50_000 });
  const messages = events.map((e) => ({ key: partitionKey(e), value: JSON.stringify(e) }));
  const config = loadConfig();
  const storeBackend = 'embeddedPath' in config.clickhouse ? 'chdb' : 'clickhouse';

  const direct = await directInsert(events, batch);
  const baseline = direct.rate;
  report({ bench: 'ingest', metric: 'events_per_s', value: baseline, unit: '1/s', backend: `direct-insert+${storeBackend}`, events: count, batch, events_per_cpu_s: Math.round(direct.perCpuSecond) });

  const embedded = createEmbeddedBus({ partitions: 8, capacity: count });
  const viaEmbedded = await throughBus(embedded, messages, batch, consumers, 'embedded');
  await embedded.close();
  report({ bench: 'ingest', metric: 'events_per_s', value: viaEmbedded.ingest, unit: '1/s', backend: `embedded+${storeBackend}`, baseline, events: count, batch, consumers, mean_batch: viaEmbedded.meanBatch, events_per_cpu_s: Math.round(viaEmbedded.perCpuSecond) });

  if (config.kafka) {
    const kafka = await createBus(config, silentLogger);
    try {
      const viaKafka = await throughBus(kafka, messages, batch, consumers, 'kafka');
      report({ bench: 'ingest', metric: 'events_per_s', value: viaKafka.ingest, unit: '1/s', backend: `kafka+${storeBackend}`, baseline, events: count, batch, consumers, mean_batch: viaKafka.meanBatch, events_per_cpu_s: Math.round(viaKafka.perCpuSecond) });
      // The producer side on its own (idempotent, acks=all), for context: not part of the ratio.
      report({ bench: 'ingest', metric: 'publish_events_per_s', value: viaKafka.publish, unit: '1/s', backend: 'kafka', events: count });
    } finally {
      await kafka.close();
    }
  }
}
