import { describe, expect, it } from 'vitest';
import { newId, type IdKind } from '../core/ids.ts';
import { Rng } from '../core/rng.ts';
import { simId } from './fastid.ts';

describe('simId', () => {
  it('makes the same ids as newId from the same draws', () => {
    const a = new Rng(11);
    const b = new Rng(11);
    const times = new Rng(12);
    const kinds: IdKind[] = ['event', 'claim', 'redemption', 'refund', 'user', 'device', 'merchant'];
    for (let i = 0; i < 5000; i++) {
      const kind = kinds[i % kinds.length]!;
      // Past and campaign times, fractional ms, 0 and a negative time (clamped to 0 by both).
      const t = i === 0 ? 0 : i === 1 ? -5 : 1e12 + times.next() * 1e12;
      expect(simId(kind, t, b)).toBe(newId(kind, t, a));
    }
    // Both consumed the same number of draws.
    expect(b.next()).toBe(a.next());
  });
});
