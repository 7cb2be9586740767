import { describe, expect, it } from 'vitest';
import { mayFillHole } from './linear-probing.ts';
import { Rng } from './rng.ts';

/** The definition, slot by slot: home is in (p, q] walking forward from p round a table of `size`. */
function homeBetween(p: number, q: number, home: number, size: number): boolean {
  for (let i = (p + 1) % size; ; i = (i + 1) % size) {
    if (i === home) return true;
    if (i === q) return false;
  }
}

describe('mayFillHole', () => {
  it('agrees with walking the table for every hole, entry and home of a small table', () => {
    const size = 8;
    for (let p = 0; p < size; p++)
      for (let q = 0; q < size; q++) {
        if (q === p) continue;
        for (let home = 0; home < size; home++) expect(mayFillHole(p, q, home), `p ${p} q ${q} home ${home}`).toBe(!homeBetween(p, q, home, size));
      }
  });

  it('keeps every key findable through random inserts and deletes in a table that uses it', () => {
    const size = 64, mask = size - 1, rng = new Rng(5);
    const keys = new Int32Array(size).fill(-1);
    const home = (k: number) => Math.imul(k, 0x9e3779b1) >>> 26;
    const find = (k: number) => {
      for (let i = home(k); ; i = (i + 1) & mask) if (keys[i] === k) return i; else if (keys[i] === -1) return -1;
    };
    const held = new Set<number>();
    for (let step = 0; step < 20_000; step++) {
      const k = rng.int(0, 199);
      if (held.has(k)) {
        let p = find(k);
        keys[p] = -1;
        for (let q = (p + 1) & mask; keys[q] !== -1; q = (q + 1) & mask) {
          if (!mayFillHole(p, q, home(keys[q]!))) continue;
          keys[p] = keys[q]!;
          keys[q] = -1;
          p = q;
        }
        held.delete(k);
      } else if (held.size < size / 2) {
        let i = home(k);
        while (keys[i] !== -1) i = (i + 1) & mask;
        keys[i] = k;
        held.add(k);
      }
      if (step % 97 === 0) for (let k2 = 0; k2 < 200; k2++) expect(find(k2) >= 0, `key ${k2} at step ${step}`).toBe(held.has(k2));
    }
  });
});
