// A server under test for bench/decide.ts and bench/claim.ts, in its own fresh process: the trivial
// express handler, the decision API and the claim API each get a heap and an event loop of their
// own, not the orchestrator's (which holds the in-process or store-level benchmark's leftovers),
// and the load generator is a third process.
// argv[2]: JSON `ServerConfig`. Prints `{"port":N}` when listening; then on stdin, `stats` prints
// what the process spent since the previous `stats` (CPU, event-loop delay, GC pauses, requests).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import { createApp } from '../api/app.ts';
import { decisionRoutes } from '../api/decision-routes.ts';
import { silentLogger } from '../core/logger.ts';
import { createAnalyticsStore } from '../ingest/store/analytics-store.ts';
import type { ChdbPlacement } from '../ingest/store/client.ts';
import { memoryEngine } from '../rules/engine/engine.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { StoreDecisionSink } from '../rules/sink/store-sink.ts';
import { childrenCpuUsage } from './_cpu.ts';
import { benchTraffic } from './_decide-events.ts';

export type ServerConfig =
  | {
      kind: 'trivial';
      seeds?: number[];
      /** The fixed JSON it answers (default `{"decision":"allow"}`). */
      answer?: unknown;
    }
  | {
      kind: 'decision';
      /** Load-generator seeds whose campaign and shops the decision engine must know. */
      seeds: number[];
      /** Embedded ClickHouse directory for decisions_v1 (as `quanguard start` stores them); absent: no sink. */
      chdbPath?: string;
      /** Where embedded ClickHouse runs (absent: the store's default, as `quanguard start`). */
      chdbThread?: ChdbPlacement;
    }
  | {
      /** The issuance API on the Redis store with the allow-all decider; campaigns are set up by the caller. */
      kind: 'claim';
      redisUrl: string;
      prefix: string;
      token: string;
      /** Another checkout whose issuance code to serve (an A/B of two trees); absent: this one. */
      root?: string;
    };

export interface ServerStats {
  requests: number;
  /**
   * CPU of the whole process, every thread, and of its child processes (embedded ClickHouse's,
   * when it runs in one): what serving the requests cost the machine.
   */
  cpuS: number;
  /** The child processes' part of cpuS; null where /proc is not there. */
  childCpuS: number | null;
  /**
   * CPU of the main thread alone (the event loop every request waits for), from Linux's per-thread
   * counters in 10 ms ticks; null where /proc is not there.
   */
  mainThreadCpuS: number | null;
  wallS: number;
  loopP99Ms: number;
  loopMaxMs: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

/** Run when stdin closes, after the server: what the server opened besides it. */
const closers: (() => Promise<unknown>)[] = [];

async function build(cfg: ServerConfig): Promise<express.Express> {
  if (cfg.kind === 'trivial') {
    const app = express();
    app.use(express.json({ limit: '256kb' }));
    const answer = cfg.answer ?? { decision: 'allow' };
    app.post(/.*/, (_req, res) => {
      res.json(answer);
    });
    return app;
  }
  if (cfg.kind === 'claim') return claimApp(cfg);
  let sink: StoreDecisionSink | undefined;
  if (cfg.chdbPath) {
    const store = createAnalyticsStore({ embeddedPath: cfg.chdbPath, database: 'quanguard', ...(cfg.chdbThread ? { thread: cfg.chdbThread } : {}) }, silentLogger);
    await store.migrate();
    sink = new StoreDecisionSink(store, { logger: silentLogger });
  }
  const engine = memoryEngine(loadRuleset(), { idSeed: 9, sink });
  for (const seed of cfg.seeds) for (const e of benchTraffic(seed, 0, { prefix: `l${seed}x` }).setup) await engine.process(e);
  return createApp({ modules: [decisionRoutes({ decider: engine })], logger: silentLogger });
}

/**
 * The claim API as `quanguard start` mounts it on Redis (the store and its client opened as there),
 * built from `cfg.root`'s sources.
 */
async function claimApp(cfg: Extract<ServerConfig, { kind: 'claim' }>): Promise<express.Express> {
  const root = cfg.root ? resolve(cfg.root) : join(fileURLToPath(import.meta.url), '..', '..');
  const load = <T>(file: string) => import(pathToFileURL(join(root, file)).href) as Promise<T>;
  const { createApp: makeApp } = await load<typeof import('../api/app.ts')>('api/app.ts');
  const { createIssuanceRoutes } = await load<typeof import('../api/issuance-routes.ts')>('api/issuance-routes.ts');
  const { openIssuanceStore } = await load<typeof import('../issuance/open-store.ts')>('issuance/open-store.ts');
  const { AllowAllRiskDecider } = await load<typeof import('../issuance/allow-all-decider.ts')>('issuance/allow-all-decider.ts');
  const { systemClock } = await load<typeof import('../core/clock.ts')>('core/clock.ts');
  const { createLogger } = await load<typeof import('../core/logger.ts')>('core/logger.ts');
  const store = openIssuanceStore({ redis: { url: cfg.redisUrl, prefix: cfg.prefix }, dataDir: '' }, systemClock, cfg.prefix);
  closers.push(() => store.close());
  const logger = createLogger({ level: 'warn' });
  const routes = createIssuanceRoutes({ store, decider: new AllowAllRiskDecider(systemClock), clock: systemClock, logger, hmacSecret: 'bench-secret-0123456789', tokens: { issuance: cfg.token } });
  return makeApp({ modules: [routes], logger });
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
const app = await build(cfg);
const server: Server = await new Promise((resolve, reject) => {
  const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
});
server.keepAliveTimeout = 60_000;
// Counted beside the app, not by a wrapping express app (its router would cost both sides).
let requests = 0;
server.on('request', () => requests++);

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let gc = { count: 0, total: 0, max: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.total += e.duration;
    gc.max = Math.max(gc.max, e.duration);
  }
}).observe({ entryTypes: ['gc'] });
/** utime + stime of this process's main thread (its tid is the pid), in seconds. */
function mainThreadCpu(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/** CPU of the child processes (embedded ClickHouse's), in seconds; null where /proc is not there. */
function childrenCpu(): number | null {
  const c = childrenCpuUsage();
  return c === null ? null : (c.user + c.system) / 1e6;
}

let cpu0 = process.cpuUsage();
let child0 = childrenCpu();
let main0 = mainThreadCpu();
let t0 = performance.now();

process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'stats') continue;
  const cpu = process.cpuUsage(cpu0);
  const main = mainThreadCpu();
  const child = childrenCpu();
  const childCpu = child === null || child0 === null ? null : Math.max(0, child - child0);
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const stats: ServerStats = {
    requests,
    cpuS: r2((cpu.user + cpu.system) / 1e6 + (childCpu ?? 0)),
    childCpuS: childCpu === null ? null : r2(childCpu),
    mainThreadCpuS: main === null || main0 === null ? null : r2(main - main0),
    wallS: r2((performance.now() - t0) / 1000),
    loopP99Ms: r2(loop.percentile(99) / 1e6),
    loopMaxMs: r2(loop.max / 1e6),
    gcCount: gc.count,
    gcTotalMs: r2(gc.total),
    gcMaxMs: r2(gc.max),
  };
  process.stdout.write(JSON.stringify(stats) + '\n');
  requests = 0;
  gc = { count: 0, total: 0, max: 0 };
  loop.reset();
  cpu0 = process.cpuUsage();
  main0 = main;
  child0 = child;
  t0 = performance.now();
}
server.closeAllConnections();
await new Promise((r) => server.close(r));
for (const close of closers) await close();
