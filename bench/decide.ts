// `npm run bench -- decide [--events N] [--in-process-rounds K] [--rate R] [--seconds S] [--rounds K] [--warmup W] [--connections C] [--no-in-process] [--no-http] [--no-store] [--chdb process|worker|main[,...]] [--growth K]`
// 1. In-process decisions per second, every rule of the live set and windowed features on (memory
//    feature store), against the same rules in json-rules-engine in the same run.
// 2. The HTTP decision API under a fixed offered rate from a separate open-loop load generator, against
//    a trivial express handler under the same load in the same run: latency percentiles, errors
//    (bench/_decide-http.ts; `--rounds`, `--warmup` seconds left out of each round, `--connections`).
//    `--no-store`: the decision API without decision storage (to tell the engine's cost from storage's).
//    `--chdb`: where the decision API runs embedded ClickHouse (default: where `quanguard start` does);
//    several (`--chdb process,worker`): one decision API each, side by side in the same rounds.
// 3. `--growth K`: K seeds of 30,000 events each, one after the other through one engine, each
//    seed's stream starting at the drop again and sharing IP ranges and the campaign with the
//    others; decisions per CPU-second per seed against the first: how the engine's cost grows with
//    the traffic it has seen (late events in the distinct-count windows, rules/README.md).
// The machine is shared: throughput is reported per CPU-second of this process (what one core
// does) beside the wall-clock figure.
import { parseArgs } from '../cli/args.ts';
import { memoryEngine } from '../rules/engine/engine.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { benchTraffic } from './_decide-events.ts';
import { overHttp } from './_decide-http.ts';
import { median } from './_http-bench.ts';
import type { ChdbPlacement } from '../ingest/store/client.ts';
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

/**
 * Rounds alternate a fresh engine over the whole stream and a fresh json-rules-engine over its
 * first 10,000 events (each after the same set-up), and the medians are reported: on this shared
 * machine one run of the same tree moved by a quarter from one minute to the next.
 */
async function inProcess(n: number, rounds: number): Promise<void> {
  const rs = loadRuleset();
  const { setup, stream } = benchTraffic(7, n);
  // Warm up on a separate slice so the JIT has settled before the measured rounds.
  const warm = benchTraffic(8, 20_000, { prefix: 'w' });
  const warmEngine = memoryEngine(rs, { idSeed: 8 });
  for (const e of [...warm.setup, ...warm.stream]) await warmEngine.process(e);
  const slice = stream.slice(0, Math.min(stream.length, 10_000));
  const ours: Timed[] = [];
  const theirs: Timed[] = [];
  for (let r = 0; r < rounds; r++) {
    const engine = memoryEngine(rs, { idSeed: 7 });
    for (const e of setup) await engine.process(e);
    ours.push(
      await timed(stream.length, async () => {
        for (const e of stream) {
          // process answers in place on the in-memory path: await only a promise.
          const p = engine.process(e);
          if (p instanceof Promise) await p;
        }
      }),
    );
    const baseline = new JsonRulesBaseline(rs);
    for (const e of setup) await baseline.decide(e);
    theirs.push(
      await timed(slice.length, async () => {
        for (const e of slice) await baseline.decide(e);
      }),
    );
  }
  const med = (xs: Timed[], k: keyof Timed) => median(xs.map((x) => x[k]));
  const per = (xs: Timed[], k: keyof Timed) => xs.map((x) => Math.round(x[k]));
  const common = { bench: 'decide', unit: '1/s', rules: rs.rules.length, features: rs.features.length, rulesetVersion: rs.version, events: stream.length, baselineEvents: slice.length, rounds, statistic: 'median of rounds' };
  report({ ...common, metric: 'in_process_decisions_per_cpu_s', value: med(ours, 'perCpuSecond'), perRound: per(ours, 'perCpuSecond'), backend: 'memory', baseline: med(theirs, 'perCpuSecond'), baselinePerRound: per(theirs, 'perCpuSecond'), baselineName: 'json-rules-engine', target: 100_000 });
  report({ ...common, metric: 'in_process_decisions_per_wall_s', value: med(ours, 'perWallSecond'), perRound: per(ours, 'perWallSecond'), backend: 'memory', baseline: med(theirs, 'perWallSecond'), baselinePerRound: per(theirs, 'perWallSecond'), baselineName: 'json-rules-engine' });
}

async function growth(seeds: number): Promise<void> {
  const rs = loadRuleset();
  const engine = memoryEngine(rs, { idSeed: 1 });
  const list = Array.from({ length: seeds }, (_, i) => 11 + i);
  for (const seed of list) for (const e of benchTraffic(seed, 0, { prefix: `l${seed}x` }).setup) await engine.process(e);
  let first = 0;
  for (const [i, seed] of list.entries()) {
    const { stream } = benchTraffic(seed, 30_000, { prefix: `l${seed}x` });
    const r = await timed(stream.length, async () => {
      for (const e of stream) {
      // process answers in place on the in-memory path: await only a promise.
      const p = engine.process(e);
      if (p instanceof Promise) await p;
    }
    });
    if (i === 0) first = r.perCpuSecond;
    report({ bench: 'decide', metric: 'in_process_decisions_per_cpu_s_by_seed', unit: '1/s', backend: 'memory', seed: i + 1, eventsSeenBefore: i * 30_000, value: r.perCpuSecond, baseline: first, baselineName: 'first seed' });
  }
}

/** `--chdb process,worker`: one decision API per placement, side by side in the same rounds. */
function chdbPlacements(v: string | true | undefined): ChdbPlacement[] | undefined {
  if (v === undefined) return undefined;
  const list = typeof v === 'string' ? v.split(',') : [];
  const bad = list.length === 0 || list.some((p) => p !== 'process' && p !== 'worker' && p !== 'main');
  if (bad) throw new Error('bench decide: --chdb takes process, worker or main, or several separated by commas');
  return list as ChdbPlacement[];
}

export async function run(argv: string[]): Promise<void> {
  const { options } = parseArgs(argv);
  const num = (k: string, d: number) => (typeof options[k] === 'string' ? Number(options[k]) : d);
  machine('decide');
  if (options['no-in-process'] === undefined) await inProcess(num('events', 200_000), num('in-process-rounds', 5));
  if (options['no-http'] === undefined) await overHttp({ rate: num('rate', 2000), seconds: num('seconds', 10), warmupS: num('warmup', 3), rounds: num('rounds', 3), connections: num('connections', 50), store: options['no-store'] === undefined, chdbThreads: chdbPlacements(options['chdb']) });
  if (options.growth !== undefined) await growth(num('growth', 4));
}
