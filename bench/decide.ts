// `npm run bench -- decide [--events N] [--rate R] [--seconds S]`
// 1. In-process decisions per second, every rule of the live set and windowed features on (memory
//    feature store), against the same rules in json-rules-engine in the same run.
// 2. The HTTP decision API under a fixed offered rate from a separate process (autocannon), against
//    a trivial express handler under the same load in the same run: latency percentiles, errors.
// The machine is shared: throughput is reported per CPU-second of this process (what one core
// does) beside the wall-clock figure.
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { createApp } from '../api/app.ts';
import { decisionRoutes } from '../api/decision-routes.ts';
import { silentLogger } from '../core/logger.ts';
import { parseArgs } from '../cli/args.ts';
import { memoryEngine } from '../rules/engine/engine.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { benchTraffic } from './_decide-events.ts';
import { JsonRulesBaseline } from './_jre-baseline.ts';
import { machine, report } from './report.ts';

interface Timed {
  perCpuSecond: number;
  perWallSecond: number;
}

async function timed(n: number, body: () => Promise<void>): Promise<Timed> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await body();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { perCpuSecond: n / ((cpu.user + cpu.system) / 1e6), perWallSecond: n / wall };
}

async function inProcess(n: number): Promise<void> {
  const rs = loadRuleset();
  const { setup, stream } = benchTraffic(7, n);
  const engine = memoryEngine(rs, { idSeed: 7 });
  for (const e of setup) await engine.process(e);
  // Warm up on a separate slice so the JIT has settled before the measured run.
  const warm = benchTraffic(8, 20_000, { prefix: 'w' });
  const warmEngine = memoryEngine(rs, { idSeed: 8 });
  for (const e of [...warm.setup, ...warm.stream]) await warmEngine.process(e);
  const ours = await timed(stream.length, async () => {
    for (const e of stream) await engine.process(e);
  });

  const baseline = new JsonRulesBaseline(rs);
  for (const e of setup) await baseline.decide(e);
  const slice = stream.slice(0, Math.min(stream.length, 40_000));
  const theirs = await timed(slice.length, async () => {
    for (const e of slice) await baseline.decide(e);
  });
  const common = { bench: 'decide', unit: '1/s', rules: rs.rules.length, features: rs.features.length, rulesetVersion: rs.version, events: stream.length };
  report({ ...common, metric: 'in_process_decisions_per_cpu_s', value: ours.perCpuSecond, backend: 'memory', baseline: theirs.perCpuSecond, baselineName: 'json-rules-engine', target: 100_000 });
  report({ ...common, metric: 'in_process_decisions_per_wall_s', value: ours.perWallSecond, backend: 'memory', baseline: theirs.perWallSecond, baselineName: 'json-rules-engine' });
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
}

function load(url: string, rate: number, seconds: number, seed: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/_decide-load.ts', url, 'mixed', String(rate), String(seconds), '50', String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`bench decide: load generator exited ${code}`))));
  });
}

async function overHttp(rate: number, seconds: number): Promise<void> {
  const trivial = express();
  trivial.use(express.json({ limit: '256kb' }));
  trivial.post(/.*/, (_req, res) => {
    res.json({ decision: 'allow' });
  });
  const rs = loadRuleset();
  const engine = memoryEngine(rs, { idSeed: 9 });
  // The load generator's traffic refers to this campaign and these shops.
  for (const e of benchTraffic(11, 0, { prefix: 'l11x' }).setup) await engine.process(e);
  for (const e of benchTraffic(12, 0, { prefix: 'l12x' }).setup) await engine.process(e);
  const api = createApp({ modules: [decisionRoutes({ decider: engine })], logger: silentLogger });
  const results: Record<string, Record<string, number>> = {};
  for (const [name, app, seed] of [['trivial', trivial, 11], ['decision_api', api, 12]] as const) {
    const server = await listen(app as express.Express);
    const port = (server.address() as AddressInfo).port;
    try {
      results[name] = await load(`http://127.0.0.1:${port}`, rate, seconds, seed);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }
  const ours = results.decision_api!, base = results.trivial!;
  const common = { bench: 'decide', backend: 'http+memory', offeredRate: rate, seconds, loadGenerator: 'autocannon (separate process)' };
  for (const p of ['p50', 'p90', 'p99'] as const) report({ ...common, metric: `http_latency_${p}_ms`, unit: 'ms', value: ours[p]!, baseline: base[p]!, baselineName: 'trivial express handler', ...(p === 'p99' ? { target: '<= 1.5x baseline' } : {}) });
  report({ ...common, metric: 'http_achieved_rps', unit: '1/s', value: ours.rps!, baseline: base.rps! });
  report({ ...common, metric: 'http_error_responses', unit: 'count', value: ours.errors! + ours.non2xx! + ours.timeouts!, baseline: base.errors! + base.non2xx! + base.timeouts!, requests: ours.requests });
}

export async function run(argv: string[]): Promise<void> {
  const { options } = parseArgs(argv);
  const num = (k: string, d: number) => (typeof options[k] === 'string' ? Number(options[k]) : d);
  machine('decide');
  await inProcess(num('events', 200_000));
  await overHttp(num('rate', 2000), num('seconds', 15));
}
