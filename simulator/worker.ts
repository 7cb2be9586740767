// A simulator worker: runs the shards and merges the days the pool hands it, one task at a time.
// Days are written straight into the output file at the offset the pool computed, so no event
// bytes travel back through the parent.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { DayMerger, sortedRunBuffers, type DaySource, type SortedRun } from './merge.ts';
import type { ResolvedOptions } from './options.ts';
import { ShardRunner, type ShardSpec } from './shard.ts';
import { runBuffers } from './sink.ts';

export type WorkerTask =
  | { kind: 'shard'; spec: ShardSpec }
  /** Some shards' lines of a day into a sorted run, sent back (see premerge.ts). */
  | { kind: 'premerge'; sources: DaySource[]; ranks: number[]; file: string }
  /** A day merged and written: all its sources, or a premerged run and the other sources. */
  | { kind: 'day'; sources: DaySource[]; ranks: number[]; run?: SortedRun; out: string; offset: number };

const { options, spillRoot } = workerData as { options: ResolvedOptions; spillRoot: string };
const runner = new ShardRunner(options, spillRoot);
const merger = new DayMerger();
const port = parentPort!;

port.on('message', (task: WorkerTask) => {
  void handle(task).then(
    (reply) => port.postMessage({ ok: true, value: reply.value }, reply.transfer),
    (err: Error) => port.postMessage({ ok: false, message: err.message, stack: err.stack }),
  );
});

async function handle(task: WorkerTask): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  if (task.kind === 'shard') {
    const result = await runner.run(task.spec);
    return { value: result, transfer: runBuffers(result.runs) };
  }
  if (task.kind === 'premerge') {
    mkdirSync(dirname(task.file), { recursive: true });
    const run = merger.premerge(task.sources, task.ranks, task.file);
    return { value: run, transfer: sortedRunBuffers(run) };
  }
  if (task.run) merger.mergeWith(task.run, task.sources, task.ranks, task.out, task.offset);
  else merger.write(task.sources, task.out, task.offset);
  return { value: null, transfer: [] };
}
