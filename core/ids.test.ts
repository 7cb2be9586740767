import { describe, expect, it } from 'vitest';
import { ID_PREFIXES, newId, type IdKind } from './ids.ts';
import { Rng } from './rng.ts';

// The id as it was built one character at a time: the two-at-a-time version must give the same
// string for the same time and seed (a replay with a fixed seed reproduces its decision ids).
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
function oneCharAtATime(prefix: string, timeMs: number, rng: Rng): string {
  let t = Math.max(0, Math.floor(timeMs));
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 12; i++) rand += ALPHABET[Math.floor(rng.next() * 32)];
  return `${prefix}_${time}${rand}`;
}

describe('newId', () => {
  it('gives the same ids as one character at a time, for the same times and seed', () => {
    const a = new Rng(5), b = new Rng(5), times = new Rng(6);
    for (let i = 0; i < 20_000; i++) {
      const t = i % 7 === 0 ? -times.next() * 1e6 : i % 11 === 0 ? times.next() * 2 ** 52 : times.int(0, 4_000_000_000) * 1000 + times.next() * 1000;
      expect(newId('decision', t, a)).toBe(oneCharAtATime('dec', t, b));
    }
  });

  it('carries the prefix of every kind, of three letters or four, before the same 22 characters', () => {
    for (const [kind, prefix] of Object.entries(ID_PREFIXES) as [IdKind, string][]) {
      const a = new Rng(9), b = new Rng(9);
      expect(newId(kind, 1_777_777_777_123, a)).toBe(oneCharAtATime(prefix, 1_777_777_777_123, b));
    }
  });

  it('carries the prefix, 10 time characters and 12 random ones without a seed', () => {
    expect(newId('case', Date.UTC(2026, 4, 1))).toMatch(/^case_[0-9a-hjkmnp-tv-z]{22}$/);
  });
});
