// `quanguard start` / `npm start`: ingest plus the HTTP API. Backends come from config only
// (core/config.ts): the embedded defaults need nothing installed; KAFKA_BROKERS, CLICKHOUSE_URL
// and REDIS_URL switch a part to the real service. The first log lines say which one each uses.
import type { Server } from 'node:http';
import { TOPICS, type EventBus, type Subscription } from '../core/bus.ts';
import { loadConfig, type Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { createApp, type RouteModule } from '../api/app.ts';
import { healthRoutes } from '../api/health-routes.ts';
import { createMetrics, metricsRoutes, type AppMetrics } from '../api/metrics.ts';
import { createBus } from '../ingest/bus/index.ts';
import { startIngest } from '../ingest/ingester.ts';
import { createAnalyticsStore, type AnalyticsStore } from '../ingest/store/analytics-store.ts';
import { CHILD_NICE } from '../ingest/store/chdb-worker.ts';
import { DEFAULT_CHDB_PLACEMENT, type ChdbPlacement } from '../ingest/store/client.ts';
import type { EventProcessor } from '../ingest/pipeline.ts';
import { systemClock } from '../core/clock.ts';
import { createIssuanceRoutes } from '../api/issuance-routes.ts';
import { reportRoutes } from '../api/report-routes.ts';
import { caseRoutes } from '../api/case-routes.ts';
import { decisionRoutes } from '../api/decision-routes.ts';
import { hotStateDir, openIssuanceStore } from '../issuance/open-store.ts';
import type { IssuanceStore } from '../issuance/state/store.ts';
import { createRelay } from '../issuance/relay.ts';
import type { RulesEngine } from '../rules/engine/engine.ts';
import { createRulesEngine } from '../rules/factory.ts';
import { WarmStartGate, warmStart } from '../rules/warm-start.ts';
import { FlagAggregator } from '../rules/flags.ts';
import { RULES_FLAG_SOURCE, RulesFlagPublisher } from '../rules/flag-publisher.ts';
import { StoreDecisionSink } from '../rules/sink/store-sink.ts';
import { readModelFile } from '../models/model-file.ts';
import { createModelScheduler, MODEL_SCHEDULE, type ModelScheduler } from '../models/scheduler.ts';
import { loadWindow } from '../models/source/clickhouse.ts';
import { writeFlags } from '../models/sink/flags-store.ts';
import { publishToRules } from '../models/publish.ts';

export const INGEST_GROUP = 'quanguard-ingest';

export interface Engine {
  bus: EventBus;
  store: AnalyticsStore;
  hot: IssuanceStore;
  rules: RulesEngine;
  models: ModelScheduler;
  metrics: AppMetrics;
  server: Server;
  /** The bound port (useful with PORT=0). */
  port: number;
  close(): Promise<void>;
}

interface RouteDeps {
  bus: EventBus;
  store: AnalyticsStore;
  metrics: AppMetrics;
  hot: IssuanceStore;
  rules: RulesEngine;
  config: Config;
  logger: Logger;
}

/** Every HTTP route module of the engine, in one list. */
function routeModules(deps: RouteDeps): RouteModule[] {
  return [
    healthRoutes({
      store: () => deps.store.ping(),
      bus: async () => (await deps.bus.lag(TOPICS.events, INGEST_GROUP), true),
    }),
    metricsRoutes(deps.metrics),
    createIssuanceRoutes({
      store: deps.hot,
      decider: deps.rules,
      clock: systemClock,
      logger: deps.logger,
      hmacSecret: deps.config.hmacSecret,
      tokens: deps.config.tokens,
    }),
    decisionRoutes({ decider: deps.rules, token: deps.config.tokens.issuance }),
    reportRoutes({ store: deps.store, tokens: deps.config.tokens }),
    caseRoutes({ store: deps.store, clock: systemClock, tokens: deps.config.tokens }),
  ];
}

/** Where embedded ClickHouse runs, for the start log. */
function chdbPlacementText(p: ChdbPlacement, nice: number): string {
  return p === 'process' ? `child process, nice ${nice}` : `${p} thread`;
}

export async function startEngine(config: Config, logger: Logger, opts: { processMetrics?: boolean } = {}): Promise<Engine> {
  const storeLocation = 'embeddedPath' in config.clickhouse ? `chdb:${config.clickhouse.embeddedPath} (${chdbPlacementText(config.clickhouse.thread ?? DEFAULT_CHDB_PLACEMENT, config.clickhouse.nice ?? CHILD_NICE)})` : `clickhouse:${new URL(config.clickhouse.url).origin}`;
  const hotState = config.redis ? 'redis' : `memory (journal ${hotStateDir(config)})`;
  logger.info(`backends: bus=${config.kafka ? 'kafka' : 'embedded'} store=${storeLocation} hot=${hotState}`, {
    bus: config.kafka ? 'kafka' : 'embedded',
    store: storeLocation,
    hotState,
    database: config.clickhouse.database,
  });
  if (config.hmacSecretIsDefault) logger.warn('QUANGUARD_HMAC_SECRET is not set: using the demo secret; set it before loading real data');

  const store = createAnalyticsStore(config.clickhouse, logger);
  const closers: (() => Promise<void>)[] = [() => store.close()];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => logger.warn('shutdown step failed', { err: err as Error }));
  };
  try {
    const bus = await createBus(config, logger);
    closers.push(() => bus.close());
    const applied = await store.migrate();
    logger.info('store ready', { migrationsApplied: applied.length });
    const metrics = createMetrics({ lag: () => bus.lag(TOPICS.events, INGEST_GROUP), processMetrics: opts.processMetrics ?? true });

    // Hot state: stock, limits, wallets and the claim outbox (Redis when REDIS_URL is set).
    const hot = openIssuanceStore(config, systemClock, `${config.redis?.prefix ?? 'qg'}:`);
    closers.push(() => hot.close());
    // The rules engine decides claims and redemptions in-process for the issuance core, and sees
    // every stored event (merchants, campaigns, prices, outside producers' claims) through the
    // ingest processor below; a claim it already decided is recognised by eventId.
    const gate = new WarmStartGate(new StoreDecisionSink(store, { logger }));
    // The rules' entity flags go to flags_v1 every minute (the triage queue reads them there).
    const rulesSetup = createRulesEngine(config, {
      logger, sink: gate, prefix: config.redis?.prefix, listsDir: config.redis ? undefined : hotStateDir(config),
      onEvaluation: (e, ev, shadow) => {
        if (!shadow) flagTally.add(e, ev.runs);
      },
    });
    const flagTally = new FlagAggregator(rulesSetup.rulesets[0]!);
    const rules = rulesSetup.engine;
    closers.push(() => rules.close());
    logger.info(`risk decider: ${rules.name}`, rulesSetup.describe());
    // Before ingest and the API: the engine's windows and reference state come back from the
    // store, and events a crash left stored but undecided get their decision (rules/warm-start.ts).
    await warmStart({ engine: rules, store, gate, rulesets: rulesSetup.rulesets, nowMs: systemClock.now(), logger });
    const ruleFlags = new RulesFlagPublisher(flagTally, (flags, at) => writeFlags(store, flags, at, RULES_FLAG_SOURCE), systemClock, logger);
    ruleFlags.start(60_000);
    closers.push(() => ruleFlags.stop());
    const rulesFeed: EventProcessor = {
      name: 'rules',
      async process(events) {
        for (const e of events) {
          const p = rules.process(e);
          if (p instanceof Promise) await p;
        }
      },
    };
    const sub: Subscription = await startIngest({
      bus,
      store,
      logger,
      metrics: metrics.ingest,
      topic: TOPICS.events,
      deadLetterTopic: TOPICS.deadLetter,
      groupId: INGEST_GROUP,
      consumers: 2,
      processors: [rulesFeed],
    });
    closers.push(() => sub.stop());

    // The outbox relay moves granted claims and other issuance events onto the bus, at least once.
    const relay = createRelay({ outbox: hot.outbox, bus, logger, consumer: `relay-${process.pid}` });
    relay.start();
    closers.push(() => relay.stop());

    // Graph and forest models over the recent window on a schedule; their flags go to flags_v1, their
    // scores to the rules (a rule may read them) and their strongest flags to the block lists.
    const models = createModelScheduler({
      clock: systemClock, ...MODEL_SCHEDULE, forest: readModelFile(), logger,
      loadWindow: (fromMs, toMs) => loadWindow(store, { fromMs, toMs }),
      writeFlags: (flags, atMs) => writeFlags(store, flags, atMs),
      publish: publishToRules({ reference: rules.reference, lists: rulesSetup.lists }),
    });
    models.start();
    closers.push(() => models.stop());
    const app = createApp({ modules: routeModules({ bus, store, metrics, hot, rules, config, logger }), logger });
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info('quanguard started', { port });
    return { bus, store, hot, rules, models, metrics, server, port, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

export async function run(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, base: { service: 'quanguard' } });
  const engine = await startEngine(config, logger);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('shutting down', { signal });
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // Stop order (reverse of start): HTTP, then the consumer (its in-flight batch commits), then bus and store.
  await engine.close();
  logger.info('stopped');
  return 0;
}
