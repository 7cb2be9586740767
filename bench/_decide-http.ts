// The HTTP part of `npm run bench -- decide`: the decision API against a trivial express handler,
// each in its own fresh server process, under the same open-loop load (bench/_http-load.ts, a third
// process) at a fixed offered rate. Rounds alternate trivial / decision (and swap the order every
// round) so both see the same machine load; each round's first `warmupS` seconds are not counted.
// The decision API runs as `quanguard start` runs it: memory features and lists, every decision
// stored in decisions_v1 through the decision sink (embedded ClickHouse in a scratch directory).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ChildServer, loadAverage, median, openLoop } from './_http-bench.ts';
import type { LoadResult } from './_http-load.ts';
import type { ServerConfig, ServerStats } from './_http-server.ts';
import { report } from './report.ts';
import type { ChdbPlacement } from '../ingest/store/client.ts';

export interface HttpOptions {
  rate: number;
  seconds: number;
  warmupS: number;
  rounds: number;
  connections: number;
  /** Store every decision in embedded ClickHouse, as `npm start` does (false: no decision sink). */
  store: boolean;
  /**
   * Where embedded ClickHouse runs in the decision API (absent: the default of `quanguard start`).
   * Several: one decision API per placement, all in the same rounds as the trivial handler (an
   * A/B in one run, each against the same trivial rounds).
   */
  chdbThreads?: ChdbPlacement[];
}

interface Side {
  load: LoadResult[];
  server: ServerStats[];
}

export async function overHttp(o: HttpOptions): Promise<void> {
  const seeds = Array.from({ length: o.rounds }, (_, r) => 12 + r);
  const warmSeed = 11;
  const dir = mkdtempSync(join(os.tmpdir(), 'qg-bench-decide-'));
  const placements: (ChdbPlacement | undefined)[] = o.store && o.chdbThreads?.length ? o.chdbThreads : [undefined];
  // A chdb directory belongs to one process: each decision API gets its own.
  const decisionConfig = (p: ChdbPlacement | undefined, i: number): ServerConfig => ({ kind: 'decision', seeds: [warmSeed, ...seeds], ...(o.store ? { chdbPath: join(dir, `clickhouse-${i}`), chdbThread: p } : {}) });
  const names = ['trivial', ...placements.map((p) => (placements.length > 1 ? `decision:${p}` : 'decision'))];
  const servers = new Map<string, ChildServer>();
  const sides = new Map<string, Side>(names.map((n) => [n, { load: [], server: [] }]));
  const loads: number[] = [];
  try {
    servers.set('trivial', await ChildServer.start('_http-server.ts', { kind: 'trivial', seeds: [] } satisfies ServerConfig));
    for (const [i, p] of placements.entries()) servers.set(names[i + 1]!, await ChildServer.start('_http-server.ts', decisionConfig(p, i)));
    // A fresh process runs its handlers in the interpreter first: one unmeasured pass each at the
    // same rate lets the JIT settle before round 1.
    for (const s of servers.values())
      await openLoop({ host: '127.0.0.1', port: s.port, rate: o.rate, warmupS: 0, seconds: o.warmupS, connections: o.connections, source: { kind: 'decide', seed: warmSeed, count: Math.ceil(o.rate * o.warmupS) + 100 } });
    for (let r = 0; r < o.rounds; r++) {
      // Each round starts with another server (trivial, decision; then decision, trivial; ...).
      const order = names.map((_, k) => names[(k + r) % names.length]!);
      for (const name of order) {
        const s = servers.get(name)!;
        // Every round sends events the engine has not seen (a redelivered event is answered from
        // its recent decisions, which would flatter it); every server gets the same bytes.
        const count = Math.ceil(o.rate * (o.warmupS + o.seconds)) + 100;
        await s.stats();
        sides.get(name)!.load.push(await openLoop({ host: '127.0.0.1', port: s.port, rate: o.rate, warmupS: o.warmupS, seconds: o.seconds, connections: o.connections, source: { kind: 'decide', seed: seeds[r]!, count } }));
        sides.get(name)!.server.push(await s.stats<ServerStats>());
        loads.push(loadAverage());
      }
    }
  } finally {
    for (const s of servers.values()) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const base = sides.get('trivial')!;
  for (const [i, p] of placements.entries()) reportSide(o, sides.get(names[i + 1]!)!, base, p, median(loads));
}

function reportSide(o: HttpOptions, ours: Side, base: Side, placement: ChdbPlacement | undefined, loadAvg: number): void {
  const med = (s: Side, f: (l: LoadResult) => number) => median(s.load.map(f));
  const common = {
    bench: 'decide',
    backend: o.store ? `http+memory, decisions to chdb (${placement ?? 'default placement'})` : 'http+memory, decisions not stored',
    offeredRate: o.rate,
    seconds: o.seconds,
    warmupSExcluded: o.warmupS,
    rounds: o.rounds,
    connections: o.connections,
    loadGenerator: 'open loop, latency from each request\'s due time (bench/_http-load.ts, separate process)',
    loadAverage: loadAvg,
  };
  for (const p of ['p50', 'p90', 'p99', 'p999'] as const)
    report({ ...common, metric: `http_latency_${p}_ms`, unit: 'ms', value: med(ours, (l) => l[p]), baseline: med(base, (l) => l[p]), baselineName: 'trivial express handler', perRound: ours.load.map((l) => l[p]), baselinePerRound: base.load.map((l) => l[p]), ...(p === 'p99' ? { target: '<= 1.5x baseline' } : {}) });
  // A percentile is null when no request due in the measured window was answered in it (the
  // server never caught up with the warm-up's backlog): that is a result, not a zero.
  report({ ...common, metric: 'http_achieved_rps', unit: '1/s', value: med(ours, (l) => l.achievedRps), baseline: med(base, (l) => l.achievedRps), answered: ours.load.map((l) => l.answered), baselineAnswered: base.load.map((l) => l.answered), duePerRound: ours.load[0]?.due });
  const bad = (s: Side) => s.load.reduce((a, l) => a + l.non2xx + l.errors + l.unanswered, 0);
  report({ ...common, metric: 'http_error_responses', unit: 'count', value: bad(ours), baseline: bad(base), requests: ours.load.reduce((a, l) => a + l.due, 0), target: 0 });
  // CPU per request does not depend on how busy the machine is: what each handler costs.
  const cpuPerReq = (s: Side) => (1e6 * s.server.reduce((a, x) => a + x.cpuS, 0)) / Math.max(1, s.server.reduce((a, x) => a + x.requests, 0));
  const childPerReq = (s: Side) => (s.server.some((x) => x.childCpuS === null) ? null : Math.round((1e6 * s.server.reduce((a, x) => a + x.childCpuS!, 0)) / Math.max(1, s.server.reduce((a, x) => a + x.requests, 0))));
  report({ ...common, metric: 'http_server_cpu_us_per_request', unit: 'us', value: cpuPerReq(ours), baseline: cpuPerReq(base), childProcessesUsPerRequest: childPerReq(ours), perRound: ours.server.map((s) => Math.round((1e6 * s.cpuS) / Math.max(1, s.requests))), baselinePerRound: base.server.map((s) => Math.round((1e6 * s.cpuS) / Math.max(1, s.requests))) });
  // The main thread's share: what every request queues behind (the rest is embedded ClickHouse's
  // threads and the collector's helpers).
  const mainPerReq = (s: Side) => (s.server.some((x) => x.mainThreadCpuS === null) ? null : (1e6 * s.server.reduce((a, x) => a + x.mainThreadCpuS!, 0)) / Math.max(1, s.server.reduce((a, x) => a + x.requests, 0)));
  const mainOurs = mainPerReq(ours), mainBase = mainPerReq(base);
  if (mainOurs !== null && mainBase !== null) report({ ...common, metric: 'http_server_main_thread_cpu_us_per_request', unit: 'us', value: mainOurs, baseline: mainBase });
  report({ ...common, metric: 'http_server_gc_max_ms', unit: 'ms', value: Math.max(...ours.server.map((s) => s.gcMaxMs)), baseline: Math.max(...base.server.map((s) => s.gcMaxMs)), gcTotalMs: ours.server.reduce((a, s) => a + s.gcTotalMs, 0), baselineGcTotalMs: base.server.reduce((a, s) => a + s.gcTotalMs, 0) });
  report({ ...common, metric: 'http_server_event_loop_p99_ms', unit: 'ms', value: median(ours.server.map((s) => s.loopP99Ms)), baseline: median(base.server.map((s) => s.loopP99Ms)), loopMaxMs: Math.max(...ours.server.map((s) => s.loopMaxMs)), baselineLoopMaxMs: Math.max(...base.server.map((s) => s.loopMaxMs)) });
  report({ ...common, metric: 'http_generator_cpu_per_s', unit: 'cpu-s/s', value: med(ours, (l) => l.generatorCpu), baseline: med(base, (l) => l.generatorCpu), generatorLoopP99Ms: ours.load.map((l) => l.generatorLoopP99Ms) });
}
