// `npm run bench -- decide [--events N] [--in-process-rounds K] [--rate R] [--seconds S] [--rounds K] [--warmup W] [--connections C] [--no-in-process] [--no-http] [--no-store] [--chdb process|worker|main[,...]] [--growth K] [--against DIR]`
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
// 4. `--against DIR`: this tree's engine against another checkout's (DIR, with its node_modules:
//    `git worktree add /tmp/base REF && ln -s "$PWD/node_modules" /tmp/base/`), both in this one
//    process, fresh engines over the same events in alternated rounds (ABBA), K rounds each
//    (`--in-process-rounds`): what a change gained, on a host whose speed moves by a half from
//    one minute to the next, where two runs one after the other tell nothing.
// Events reach the timed loops as an engine in service gets them: JSON text in batches of 1,000,
// each parsed (untimed) when its turn comes and dropped after it (Batches).
// The machine is shared: throughput is reported per CPU-second of this process (what one core
// does) beside the wall-clock figure.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from '../cli/args.ts';
import { memoryEngine } from '../rules/engine/engine.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import type { QuanguardEvent } from '../core/events.ts';
import { benchTraffic } from './_decide-events.ts';
import { overHttp } from './_decide-http.ts';
import { median } from './_http-bench.ts';
import type { ChdbPlacement } from '../ingest/store/client.ts';
import { JsonRulesBaseline } from './_jre-baseline.ts';
import { machine, report } from './report.ts';

const INPUT = 'JSON batches of 1,000, each parsed outside the timed part';

interface Timed {
  perCpuSecond: number;
  perWallSecond: number;
}

/**
 * A stream as the engine gets it in service: JSON text in batches (a Kafka fetch, a replay file's
 * lines), each parsed when its turn comes and let go after it. Until stop 13 this bench held the
 * whole stream as parsed objects: events alive that no running engine holds, marked again by
 * every full collection, a cost of the bench and not of the engine (1c89a56 has it measured).
 */
export class Batches {
  private readonly texts: string[] = [];
  readonly events: number;
  constructor(events: readonly unknown[], size = 1_000) {
    for (let i = 0; i < events.length; i += size) this.texts.push(JSON.stringify(events.slice(i, i + size)));
    this.events = events.length;
  }

  /**
   * Runs `each` over every event and times only that: a batch is parsed outside the timed part
   * (the transport's work, as it was when the whole stream was parsed before the loop), and CPU
   * and wall time are summed over the batches.
   */
  async timed(each: (e: unknown) => unknown): Promise<Timed> {
    let cpu = 0, wall = 0;
    for (const text of this.texts) {
      const batch = JSON.parse(text) as unknown[];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (const e of batch) {
        // process answers in place on the in-memory path: await only a promise.
        const p = each(e);
        if (p instanceof Promise) await p;
      }
      wall += performance.now() - t0;
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
    }
    return { perCpuSecond: this.events / (cpu / 1e6), perWallSecond: this.events / (wall / 1000) };
  }
}

/**
 * The bench's stream (seed 7) in batches, with `baseline` its first 10,000 events apart for
 * json-rules-engine, and its set-up events (campaign, shops, prices) as objects.
 */
function batchedTraffic(n: number, baseline = false): { setup: QuanguardEvent[]; stream: Batches; slice: Batches | undefined } {
  const { setup, stream } = benchTraffic(7, n);
  return { setup, stream: new Batches(stream), slice: baseline ? new Batches(stream.slice(0, Math.min(stream.length, 10_000))) : undefined };
}

/** 20,000 events of another seed through `each`, so the JIT has settled before measured rounds. */
async function warmUp(each: (e: QuanguardEvent) => unknown): Promise<void> {
  const warm = benchTraffic(8, 20_000, { prefix: 'w' });
  for (const e of [...warm.setup, ...warm.stream]) await each(e);
}

/**
 * Rounds alternate a fresh engine over the whole stream and a fresh json-rules-engine over its
 * first 10,000 events (each after the same set-up), and the medians are reported: on this shared
 * machine one run of the same tree moved by a quarter from one minute to the next.
 */
async function inProcess(n: number, rounds: number): Promise<void> {
  const rs = loadRuleset();
  const { setup, stream, slice } = batchedTraffic(n, true);
  // Warm up on a separate slice so the JIT has settled before the measured rounds.
  const warmEngine = memoryEngine(rs, { idSeed: 8 });
  await warmUp((e) => warmEngine.process(e));
  const ours: Timed[] = [];
  const theirs: Timed[] = [];
  for (let r = 0; r < rounds; r++) {
    const engine = memoryEngine(rs, { idSeed: 7 });
    for (const e of setup) await engine.process(e);
    ours.push(await stream.timed((e) => engine.process(e as QuanguardEvent)));
    const baseline = new JsonRulesBaseline(rs);
    for (const e of setup) await baseline.decide(e);
    theirs.push(await slice!.timed((e) => baseline.decide(e as QuanguardEvent)));
  }
  const med = (xs: Timed[], k: keyof Timed) => median(xs.map((x) => x[k]));
  const per = (xs: Timed[], k: keyof Timed) => xs.map((x) => Math.round(x[k]));
  const common = { bench: 'decide', unit: '1/s', rules: rs.rules.length, features: rs.features.length, rulesetVersion: rs.version, events: stream.events, baselineEvents: slice!.events, input: INPUT, rounds, statistic: 'median of rounds' };
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
    const stream = new Batches(benchTraffic(seed, 30_000, { prefix: `l${seed}x` }).stream);
    const r = await stream.timed((e) => engine.process(e as QuanguardEvent));
    if (i === 0) first = r.perCpuSecond;
    report({ bench: 'decide', metric: 'in_process_decisions_per_cpu_s_by_seed', unit: '1/s', backend: 'memory', seed: i + 1, eventsSeenBefore: i * 30_000, value: r.perCpuSecond, baseline: first, baselineName: 'first seed' });
  }
}

type MakeEngine = (rs: ReturnType<typeof loadRuleset>, opts: { idSeed: number }) => { process(e: unknown): unknown };

/** One round: a fresh engine, the setup events, then the timed stream. */
async function engineRound(make: MakeEngine, rs: ReturnType<typeof loadRuleset>, setup: readonly unknown[], stream: Batches): Promise<Timed> {
  const engine = make(rs, { idSeed: 7 });
  for (const e of setup) await engine.process(e);
  return stream.timed((e) => engine.process(e));
}

async function against(dir: string, n: number, rounds: number): Promise<void> {
  const root = resolve(dir);
  const theirEngine = (await import(pathToFileURL(resolve(root, 'rules/engine/engine.ts')).href)) as { memoryEngine: MakeEngine };
  const theirLoad = (await import(pathToFileURL(resolve(root, 'rules/ruleset/load.ts')).href)) as { loadRuleset: () => ReturnType<typeof loadRuleset> };
  let rev = root;
  try {
    rev = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout: named by its path
  }
  const sides = [
    { make: memoryEngine as unknown as MakeEngine, rs: loadRuleset(), per: [] as Timed[] },
    { make: theirEngine.memoryEngine, rs: theirLoad.loadRuleset(), per: [] as Timed[] },
  ];
  const { setup, stream } = batchedTraffic(n);
  for (const side of sides) {
    const engine = side.make(side.rs, { idSeed: 8 });
    await warmUp((e) => engine.process(e));
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) sides[i]!.per.push(await engineRound(sides[i]!.make, sides[i]!.rs, setup, stream));
  }
  const ours = sides[0]!.per.map((x) => x.perCpuSecond), theirs = sides[1]!.per.map((x) => x.perCpuSecond);
  const logs = ours.map((x, i) => Math.log(x / theirs[i]!));
  report({
    bench: 'decide',
    metric: 'in_process_decisions_per_cpu_s_against_tree',
    unit: '1/s',
    backend: 'memory',
    events: stream.events,
    input: INPUT,
    rounds,
    statistic: 'median of rounds; ratio: geometric mean of the per-round ratios (rounds alternated ABBA in one process)',
    value: median(ours),
    perRound: ours.map(Math.round),
    baseline: median(theirs),
    baselinePerRound: theirs.map(Math.round),
    baselineName: `tree ${rev}`,
    ratio: Math.round(Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length) * 1000) / 1000,
    roundsWon: logs.filter((l) => l > 0).length,
  });
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
  if (typeof options.against === 'string') await against(options.against, num('events', 200_000), num('in-process-rounds', 8));
  else if (options.against !== undefined) throw new Error('bench decide: --against takes the directory of another checkout');
}
