import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { DayMerger, writeDay, type DaySource } from './merge.ts';

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
      const twoStep = Buffer.concat(merger.mergeWith(run, pick(false).map((x) => x.s), pick(false).map((x) => x.i)));
      expect(twoStep.toString('latin1')).toBe(whole.toString('latin1'));
      // And the order is the contract's: by time, then shard, then generation.
      const keys = whole.toString('latin1').trimEnd().split('\n').map((l) => l.split(':').map((x) => parseInt(x, 10)));
      for (let k = 1; k < keys.length; k++) {
        const [s0, n0, t0] = keys[k - 1]!, [s1, n1, t1] = keys[k]!;
        expect(t0! < t1! || (t0 === t1 && (s0! < s1! || (s0 === s1 && n0! < n1!)))).toBe(true);
      }
    }
  });

  it('writes a day given as pieces at its offset, past the pieces one writev takes', () => {
    const file = join(dir, 'pieces.out');
    writeFileSync(file, 'x'.repeat(10));
    const pieces = Array.from({ length: 2500 }, (_, i) => Buffer.from(`${i},`));
    writeDay(file, 4, pieces);
    expect(readFileSync(file, 'latin1')).toBe(`xxxx${pieces.join('')}`);
  });
});
