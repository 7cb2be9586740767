// Merging while the last shard runs. Shards are about the same size, so with two threads one of
// them finishes its last shard well before the other, and the day merges (which need every shard)
// used to start only then. From the moment a single shard is left, idle workers merge the days
// of the shards already done into sorted runs; each such day is then finished by merging the run
// with the last shard's lines (and the announcement's), a cheaper step (see merge.ts).
import { join } from 'node:path';
import type { DaySource, SortedRun } from './merge.ts';
import type { SimulatorPool } from './pool.ts';
import type { ShardResult } from './shard.ts';
import { runBuffers } from './sink.ts';

export interface PremergedDay {
  /** The shards whose lines of the day are in the run. */
  ranks: ReadonlySet<number>;
  run: Promise<SortedRun>;
}

export class Premerger {
  private readonly queue: { day: number; sources: DaySource[]; ranks: number[] }[] = [];
  private readonly started = new Map<number, PremergedDay>();
  private stopped = false;

  /** `chains`: how many premerges may be under way at once (the workers expected to be idle). */
  constructor(
    private readonly pool: SimulatorPool,
    private readonly chains: number,
    /** Where the runs' files go (see `DayMerger.premerge`). */
    private readonly dir: string,
  ) {}

  /** Starts merging the days of `done` (the finished shards, in shard order), day by day. */
  start(done: readonly ShardResult[]): void {
    if (this.stopped) return;
    const byDay = new Map<number, { sources: DaySource[]; ranks: number[] }>();
    for (const r of done)
      for (const run of r.runs) {
        let d = byDay.get(run.day);
        if (!d) byDay.set(run.day, (d = { sources: [], ranks: [] }));
        d.sources.push(run);
        d.ranks.push(r.index);
      }
    // The largest days first, as for the final merges (see simulate.ts).
    const size = (d: { sources: DaySource[] }) => d.sources.reduce((sum, s) => sum + s.bytes, 0);
    for (const [day, d] of [...byDay].sort((x, y) => size(y[1]) - size(x[1]))) this.queue.push({ day, ...d });
    for (let i = 0; i < this.chains; i++) this.next();
  }

  /** No more days are started; returns those that were (their runs may still be on the way). */
  stop(): ReadonlyMap<number, PremergedDay> {
    this.stopped = true;
    return this.started;
  }

  private next(): void {
    const d = this.stopped ? undefined : this.queue.shift();
    if (!d) return;
    const run = this.pool.run<SortedRun>({ kind: 'premerge', sources: d.sources, ranks: d.ranks, file: join(this.dir, `${d.day}.ndjson`) }, runBuffers(d.sources));
    this.started.set(d.day, { ranks: new Set(d.ranks), run });
    // A failure reaches the caller through `run` when the day is finished; the chain stops here.
    run.then(
      () => this.next(),
      () => undefined,
    );
  }
}
