import { describe, expect, it } from 'vitest';
import { toCstIso } from '../core/clock.ts';
import { Rng } from '../core/rng.ts';
import { cstIso } from './world.ts';

describe('cstIso', () => {
  it('writes the text toCstIso writes: day and hour edges, fractions of a millisecond, any time to 9999', () => {
    const rng = new Rng(11);
    const day = 86_400_000;
    const edges = [0, 1, 999, 1000, 59_999, 3_599_999, day - 8 * 3_600_000 - 1, day - 8 * 3_600_000, 1_777_600_000_000, 1_777_600_000_000.7, 253_402_271_999_999];
    const values = [...edges];
    for (let i = 0; i < 50_000; i++) values.push(Math.floor(rng.next() * 253_402_271_999_999), 1_760_000_000_000 + rng.next() * 100 * day);
    expect(values.map(cstIso)).toEqual(values.map(toCstIso));
  });
});
