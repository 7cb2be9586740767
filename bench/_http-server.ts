// A server under test for bench/decide.ts, in its own fresh process: the trivial express handler
// and the decision API each get a heap of their own, not the orchestrator's (which holds the
// in-process benchmark's 200k events), and the load generator is a third process.
// argv[2]: JSON `ServerConfig`. Prints `{"port":N}` when listening; then on stdin, `stats` prints
// what the process spent since the previous `stats` (CPU, event-loop delay, GC pauses, requests).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
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

export interface ServerConfig {
  kind: 'trivial' | 'decision';
  /** Load-generator seeds whose campaign and shops the decision engine must know. */
  seeds: number[];
  /** Embedded ClickHouse directory for decisions_v1 (as `quanguard start` stores them); absent: no sink. */
  chdbPath?: string;
  /** Where embedded ClickHouse runs (absent: the store's default, as `quanguard start`). */
  chdbThread?: ChdbPlacement;
}

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

async function build(cfg: ServerConfig): Promise<express.Express> {
  if (cfg.kind === 'trivial') {
    const app = express();
    app.use(express.json({ limit: '256kb' }));
    app.post(/.*/, (_req, res) => {
      res.json({ decision: 'allow' });
    });
    return app;
  }
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
server.close();
