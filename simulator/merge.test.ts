import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { DayMerger, type DaySource } from './merge.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shard's day: lines `<shard>:<n>:<time>` at few distinct times (many ties), in generation
 * order; the first `spilled` lines in a spill file, the rest in chunks of a few lines. */
function source(rng: Rng, shard: number, lines: number, spilled: number, tag: string): DaySource {
  const times = new Int32Array(lines);
  const lengths = new Uint32Array(lines);
  const parts: Buffer[] = [];
  for (let n = 0; n < lines; n++) {
    times[n] = rng.int(0, 40) * 1000;
    const line = Buffer.from(`${shard}:${n}:${times[n]}${'.'.repeat(rng.int(0, 30))}\n`, 'latin1');
    lengths[n] = line.length;
    parts.push(line);
  }
  const file = join(dir, `${tag}-${shard}.ndjson`);
  const fileBytes = parts.slice(0, spilled).reduce((s, b) => s + b.length, 0);
  writeFileSync(file, Buffer.concat(parts.slice(0, spilled)));
  const chunks: Uint8Array[] = [];
  for (let n = spilled; n < lines; n += 3) chunks.push(Buffer.concat(parts.slice(n, n + 3)));
  return { file, fileBytes, chunks, bytes: parts.reduce((s, b) => s + b.length, 0), times, lengths };
}

describe('DayMerger', () => {
  it('merges a day in two steps (some shards, then the rest) into the bytes of one merge, ties included', () => {
    const rng = new Rng(5);
    for (let round = 0; round < 30; round++) {
      const shards = rng.int(2, 7);
      const counts = Array.from({ length: shards }, () => rng.int(0, 60));
      const make = (tag: string) => counts.map((c, s) => source(new Rng(`${round}:${s}`), s, c, rng.bool(0.5) ? Math.min(c, rng.int(0, 20)) : 0, `${tag}${round}`));
      const whole = Buffer.from(new DayMerger().merge(make('a')));
      // Any split of the shards: the run's and the rest's ranks interleave.
      const first = counts.map(() => rng.bool(0.6));
      if (first.every((f) => !f)) first[0] = true;
      const sources = make('b');
      const merger = new DayMerger();
      const pick = (want: boolean) => sources.flatMap((s, i) => (first[i] === want ? [{ s, i }] : []));
      const run = merger.premerge(pick(true).map((x) => x.s), pick(true).map((x) => x.i), join(dir, `run${round}.ndjson`));
      // Both steps write at the day's place in the file, after what is there.
      const twoStep = join(dir, `two${round}.out`);
      writeFileSync(twoStep, 'day before\n');
      merger.mergeWith(run, pick(false).map((x) => x.s), pick(false).map((x) => x.i), twoStep, 11);
      expect(readFileSync(twoStep, 'latin1')).toBe(`day before\n${whole.toString('latin1')}`);
      const oneStep = join(dir, `one${round}.out`);
      writeFileSync(oneStep, 'day before\n');
      merger.write(make('c'), oneStep, 11);
      expect(readFileSync(oneStep, 'latin1')).toBe(`day before\n${whole.toString('latin1')}`);
      // And the order is the contract's: by time, then shard, then generation.
      const keys = whole.toString('latin1').trimEnd().split('\n').map((l) => l.split(':').map((x) => parseInt(x, 10)));
      for (let k = 1; k < keys.length; k++) {
        const [s0, n0, t0] = keys[k - 1]!, [s1, n1, t1] = keys[k]!;
        expect(t0! < t1! || (t0 === t1 && (s0! < s1! || (s0 === s1 && n0! < n1!)))).toBe(true);
      }
    }
  });

  it('writes a day of more lines than one writev takes, in order, at its offset', () => {
    // 2,500 lines at random times: nearly every line is a piece of its own.
    const sources = [source(new Rng('big:0'), 0, 1500, 700, 'big'), source(new Rng('big:1'), 1, 1000, 0, 'big')];
    const whole = Buffer.from(new DayMerger().merge(sources)).toString('latin1');
    const file = join(dir, 'big.out');
    writeFileSync(file, 'x'.repeat(10));
    new DayMerger().write([source(new Rng('big:0'), 0, 1500, 700, 'big2'), source(new Rng('big:1'), 1, 1000, 0, 'big2')], file, 4);
    expect(readFileSync(file, 'latin1')).toBe(`xxxx${whole}`);
    // A day this big is sorted by the radix path: the contract's order still (time, shard, line).
    const keys = whole.trimEnd().split('\n').map((l) => l.split(':').map((x) => parseInt(x, 10)));
    expect(keys.length).toBe(2500);
    for (let k = 1; k < keys.length; k++) {
      const [s0, n0, t0] = keys[k - 1]!, [s1, n1, t1] = keys[k]!;
      expect(t0! < t1! || (t0 === t1 && (s0! < s1! || (s0 === s1 && n0! < n1!)))).toBe(true);
    }
  });
});
