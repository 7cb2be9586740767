// The orchestrator: generates the city's shards (in this thread or in worker threads), adds the
// campaign announcement sized to the claims, and merges each day's lines from every shard into
// time order. The bytes depend on the seed and options only: shards share nothing but the seed,
// and days are merged with ties broken by shard, then by generation order.
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../core/rng.ts';
import { campaignBody } from './campaign.ts';
import type { BackgroundStats } from './background.ts';
import type { Labels } from './labels.ts';
import { DayMerger, sortedRunBuffers, type DaySource } from './merge.ts';
import { resolveKnobs, SCALES, simulateOptionsSchema, type ResolvedOptions, type SimulateOptions } from './options.ts';
import { SimulatorPool } from './pool.ts';
import { Premerger, type PremergedDay } from './premerge.ts';
import { planShards, ShardRunner, stagePlan, type ShardResult } from './shard.ts';
import { EventSink, runBuffers } from './sink.ts';

export interface SimulationStats {
  events: number;
  byType: Record<string, number>;
  users: number;
  merchants: number;
  generateMs: number;
  /** Shards generated and threads that generated them. */
  shards: number;
  threads: number;
  background?: BackgroundStats;
}

export interface Simulation {
  labels: Labels;
  stats: SimulationStats;
  /** The events as NDJSON bytes, sorted by occurredAt, one buffer of whole lines per day. Iterate
   * once; each buffer is reused for the next day, so consume it before asking for the next. */
  chunks(): Generator<Buffer>;
  /** Removes the spill files (also done when `chunks` is read to the end). */
  dispose(): void;
}

interface Generated {
  labels: Labels;
  stats: SimulationStats;
  /** Per CST day (ascending), the lines of every shard and of the announcement, in merge order
   * (`ranks`: each source's shard; the announcement comes after the last shard). */
  days: { day: number; bytes: number; sources: DaySource[]; ranks: number[] }[];
  spillRoot: string;
}

function parse(input: SimulateOptions): ResolvedOptions {
  const parsed = simulateOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`simulator: option ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  return parsed.data;
}

/** Runs every shard, here or in `pool`, and puts the results together; with a `premerger`, the
 * finished shards' days are merged while the last shard runs. */
async function generate(o: ResolvedOptions, threads: number, pool?: SimulatorPool, premerger?: Premerger): Promise<Generated> {
  const began = performance.now();
  const spillRoot = o.spillDir;
  const specs = planShards(o);
  let results: ShardResult[];
  if (pool) {
    const done: ShardResult[] = [];
    results = await Promise.all(
      specs.map((spec) =>
        pool.run<ShardResult>({ kind: 'shard', spec }).then((r) => {
          done.push(r);
          if (done.length === specs.length - 1) premerger?.start([...done].sort((x, y) => x.index - y.index));
          return r;
        }),
      ),
    );
  } else {
    const runner = new ShardRunner(o, spillRoot);
    results = [];
    for (const spec of specs) results.push(await runner.run(spec));
  }
  const city = results[0]!;
  const claimsPerType = new Map<string, number>();
  for (const r of results) for (const [k, v] of Object.entries(r.claimsPerType)) claimsPerType.set(k, (claimsPerType.get(k) ?? 0) + v);
  // Published ten days before the first drop, sized after the fact to cover every claim with
  // some stock left, as a bureau sizes batches from the expected take-up. The plan is the stage's.
  const plan = stagePlan(o);
  const announce = new EventSink(join(spillRoot, 'announcement'), new Rng(`announcement:${o.seed}`));
  announce.emit(plan.startMs - 10 * 86_400_000, 'campaign.published', campaignBody(plan, (c) => Math.ceil(((claimsPerType.get(c.couponTypeId) ?? 0) * 1.2 + 10) / 10) * 10));
  const runsBySource = [...results.map((r) => r.runs), announce.finish()];

  const byDay = new Map<number, { sources: DaySource[]; ranks: number[] }>();
  const byType: Record<string, number> = {};
  let events = 0;
  for (const counts of [...results.map((r) => r.counts), announce.counts])
    for (const [k, v] of Object.entries(counts)) {
      byType[k] = (byType[k] ?? 0) + v;
      events += v;
    }
  runsBySource.forEach((runs, rank) => {
    for (const r of runs) {
      let d = byDay.get(r.day);
      if (!d) byDay.set(r.day, (d = { sources: [], ranks: [] }));
      d.sources.push(r);
      d.ranks.push(rank);
    }
  });
  const days = [...byDay.entries()].sort((x, y) => x[0] - y[0]).map(([day, d]) => ({ day, ...d, bytes: d.sources.reduce((s, r) => s + r.bytes, 0) }));
  const users = results.reduce((s, r) => s + r.accounts, 0);
  const l = city.labels!;
  const labels: Labels = {
    users: l.users,
    merchants: l.merchants,
    variants: { users: l.userVariants, merchants: l.merchantVariants },
    devices: l.devices,
    background: { users: l.backgroundUsers, merchants: l.backgroundMerchants },
    population: { users, merchants: city.merchants },
    generator: {
      seed: o.seed,
      scale: o.scale,
      startDate: o.startDate,
      knobs: resolveKnobs(o),
      campaignId: plan.campaignId,
      background: o.background ? { limit: o.backgroundLimit ?? null } : null,
      shards: specs.length,
    },
  };
  return {
    labels,
    stats: { events, byType, users, merchants: city.merchants, generateMs: performance.now() - began, shards: specs.length, threads, background: city.background },
    days,
    spillRoot,
  };
}

/** Generates in this thread; the caller reads the sorted bytes from `chunks()`. */
export async function simulate(input: SimulateOptions): Promise<Simulation> {
  const o = parse(input);
  const dispose = () => rmSpill(o.spillDir);
  try {
    const g = await generate(o, 1);
    return {
      labels: g.labels,
      stats: g.stats,
      chunks: function* () {
        try {
          const merger = new DayMerger();
          for (const d of g.days) yield merger.merge(d.sources);
        } finally {
          dispose();
        }
      },
      dispose,
    };
  } catch (err) {
    dispose();
    throw err;
  }
}

/** Worker threads by default for a city-sized run (their start-up costs about a second). */
export function defaultThreads(o: Pick<ResolvedOptions, 'users' | 'scale'>): number {
  const users = o.users ?? SCALES[o.scale].users;
  return users >= 50_000 ? Math.max(1, Math.min(availableParallelism(), 8)) : 1;
}

/** Writes DIR/events.ndjson and DIR/labels.json; returns the stats with the total time. */
export async function simulateToDir(options: Omit<SimulateOptions, 'spillDir'> & { spillDir?: string }, outDir: string): Promise<SimulationStats & { totalMs: number }> {
  const began = performance.now();
  await mkdir(outDir, { recursive: true });
  const o = parse({ ...options, spillDir: options.spillDir ?? join(outDir, `.spill-${process.pid}`) });
  const threads = Math.min(o.threads ?? defaultThreads(o), planShards(o).length);
  const out = join(outDir, 'events.ndjson');
  closeSync(openSync(out, 'w'));
  const pool = threads > 1 ? SimulatorPool.start(threads, o, o.spillDir) : undefined;
  const premerger = pool ? new Premerger(pool, threads - 1, join(o.spillDir, 'premerged')) : undefined;
  try {
    const g = await generate(o, threads, pool, premerger);
    const premerged = premerger?.stop() ?? new Map<number, PremergedDay>();
    // Every day's place in the file is known once the shards are done, so days are merged and
    // written side by side, the largest first: a merger's arena then has its final size from the
    // first day, instead of growing into fresh memory (one thread, 100,000 winners, the merge and
    // write of every day: 0.86-1.02 CPU-s against 1.02-1.26 in day order).
    let offset = 0;
    const placed = g.days
      .map((d) => {
        const at = offset;
        offset += d.bytes;
        return { ...d, offset: at };
      })
      .sort((x, y) => y.bytes - x.bytes);
    if (pool) {
      await Promise.all(
        placed.map(async (d) => {
          const p = premerged.get(d.day);
          if (!p) return pool.run({ kind: 'day', sources: d.sources, ranks: d.ranks, out, offset: d.offset }, runBuffers(d.sources));
          const rest = d.ranks.flatMap((rank, i) => (p.ranks.has(rank) ? [] : [i]));
          const sources = rest.map((i) => d.sources[i]!);
          const run = await p.run;
          return pool.run({ kind: 'day', run, sources, ranks: rest.map((i) => d.ranks[i]!), out, offset: d.offset }, [...sortedRunBuffers(run), ...runBuffers(sources)]);
        }),
      );
    } else {
      const merger = new DayMerger();
      for (const d of placed) merger.write(d.sources, out, d.offset);
    }
    await writeFile(join(outDir, 'labels.json'), JSON.stringify(g.labels, null, 1) + '\n');
    return { ...g.stats, totalMs: performance.now() - began };
  } catch (err) {
    // No half-written file that a later replay would take for a campaign.
    rmSync(out, { force: true });
    throw err;
  } finally {
    await pool?.close();
    rmSpill(o.spillDir);
  }
}

function rmSpill(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
