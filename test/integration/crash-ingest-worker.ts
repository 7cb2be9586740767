// Child process of crash-ingest.test.ts: one ingest consumer on real Kafka writing to the embedded
// ClickHouse (chdb) at a path of its own, which only one process opens at a time. It reports on
// stdout, one JSON line per step, and can kill itself with SIGKILL at the worst moments:
//   crashAfterWrittenBatch: k  -> after batch k was fully written, before handleBatch resolves
//                                 (so before its offsets are committed);
//   crashOnInsert: k           -> right after the first table insert of batch k (half a batch).
// mode 'count' opens the store, prints what it holds and exits.
import { z } from 'zod';
import type { EventBus } from '../../core/bus.ts';
import { createLogger } from '../../core/logger.ts';
import { createKafkaBus } from '../../ingest/bus/kafka.ts';
import { startIngest } from '../../ingest/ingester.ts';
import { createAnalyticsStore, type AnalyticsStore } from '../../ingest/store/analytics-store.ts';

const argsSchema = z.object({
  mode: z.enum(['ingest', 'count']),
  brokers: z.array(z.string()),
  topic: z.string(),
  deadLetterTopic: z.string(),
  groupId: z.string(),
  path: z.string(),
  database: z.string(),
  maxBatchSize: z.number().int().positive(),
  crashAfterWrittenBatch: z.number().int().positive().optional(),
  crashOnInsert: z.number().int().positive().optional(),
});
type Args = z.infer<typeof argsSchema>;

const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');
const die = () => process.kill(process.pid, 'SIGKILL');

async function ingest(args: Args, store: AnalyticsStore): Promise<void> {
  const logger = createLogger({ level: 'warn' });
  const kafka = await createKafkaBus({ brokers: args.brokers, clientId: 'quanguard-crash-worker', logger, partitions: 8, topics: [args.topic, args.deadLetterTopic], sessionTimeoutMs: 6_000 });
  let batch = 0;
  let insertsInBatch = 0;
  const crashingStore: AnalyticsStore = {
    ...store,
    insert: async (table, rows) => {
      await store.insert(table, rows);
      insertsInBatch++;
      if (args.crashOnInsert === batch && insertsInBatch === 1) {
        say({ event: 'dying', at: 'after-first-insert', batch, table, rows: rows.length });
        die();
      }
    },
  };
  const bus: EventBus = {
    ...kafka,
    backend: kafka.backend,
    subscribe: (opts) =>
      kafka.subscribe({
        ...opts,
        handleBatch: async (messages) => {
          batch++;
          insertsInBatch = 0;
          await opts.handleBatch(messages);
          if (args.crashAfterWrittenBatch === batch) {
            say({ event: 'dying', at: 'after-written-batch', batch, size: messages.length });
            die();
          }
        },
      }),
  };
  const sub = await startIngest({
    bus, store: crashingStore, logger, topic: args.topic, deadLetterTopic: args.deadLetterTopic, groupId: args.groupId,
    maxBatchSize: args.maxBatchSize, maxWaitMs: 100,
    onBatch: (o) => say({ event: 'batch', batch, messages: o.messages, accepted: o.accepted, duplicate: o.duplicate, deadLettered: o.deadLettered }),
  });
  say({ event: 'subscribed' });
  // Without a crash flag: run until the group has committed everything, then leave cleanly.
  for (;;) {
    if ((await kafka.lag(args.topic, args.groupId)) === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await sub.stop();
  await kafka.close();
  say({ event: 'done', batches: batch });
}

const EVENT_TABLES = ['claims_v1', 'redemptions_v1', 'refunds_v1', 'merchants_v1', 'eligibility_v1', 'prices_v1', 'campaigns_v1'];

async function count(store: AnalyticsStore): Promise<void> {
  const n = z.object({ rows: z.coerce.number(), distinct: z.coerce.number() });
  const tables: Record<string, { rows: number; distinct: number }> = {};
  for (const t of EVENT_TABLES) tables[t] = (await store.query(`SELECT count() AS rows, uniqExact(eventId) AS distinct FROM {{db}}.${t}`, {}, n))[0]!;
  const union = EVENT_TABLES.map((t) => `SELECT eventId FROM {{db}}.${t}`).join(' UNION ALL ');
  const all = (await store.query(`SELECT count() AS rows, uniqExact(eventId) AS distinct FROM (${union})`, {}, n))[0]!;
  const rollup = (await store.query(
    'SELECT sum(claims) AS claims, sum(redemptions) AS redemptions, sum(refunds) AS refunds, sum(discountFen) AS discountFen FROM {{db}}.daily_rollup_v1',
    {},
    z.object({ claims: z.coerce.number(), redemptions: z.coerce.number(), refunds: z.coerce.number(), discountFen: z.coerce.number() }),
  ))[0]!;
  const deadLetters = (await store.query('SELECT count() AS rows, 0 AS distinct FROM {{db}}.dead_letters_v1', {}, n))[0]!.rows;
  say({ event: 'counts', tables, all, rollup, deadLetters });
}

async function main(): Promise<void> {
  const args = argsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  const store = createAnalyticsStore({ embeddedPath: args.path, database: args.database }, createLogger({ level: 'warn' }));
  await store.migrate();
  if (args.mode === 'count') await count(store);
  else await ingest(args, store);
  await store.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    say({ event: 'error', message: (err as Error).message });
    process.exit(1);
  },
);
