import { describe, expect, it } from 'vitest';
import { cstHour } from './clock.ts';
import { Rng } from './rng.ts';

describe('cstHour', () => {
  const byDate = (ms: number) => new Date(ms + 8 * 3600_000).getUTCHours();

  it('gives the hour a Date gives, on random instants before and after 1970 and at the edges', () => {
    const rng = new Rng(11);
    const cases = [0, -1, 1, -0.5, 0.5, 57_599_999, 57_600_000, -28_800_000, -28_800_001, 8.64e15, -8.64e15, 8.64e15 - 28_800_000, 8.64e15 - 28_799_999, -8.64e15 - 1, NaN, Infinity, -Infinity, Date.parse('2026-05-01T23:59:59.999+08:00')];
    for (let i = 0; i < 20_000; i++) cases.push((rng.next() - 0.5) * 2 * 8.7e15, Math.floor((rng.next() - 0.5) * 4e12) + rng.next());
    let hours = 0;
    for (const ms of cases) {
      expect(cstHour(ms), String(ms)).toBe(byDate(ms));
      if (!Number.isNaN(byDate(ms))) hours++;
    }
    expect(hours).toBeGreaterThan(20_000);
  });

  it('reads Lianyungang time: 23:30 CST is hour 23, 00:30 CST the next day is 0', () => {
    expect(cstHour(Date.parse('2026-05-01T23:30:00+08:00'))).toBe(23);
    expect(cstHour(Date.parse('2026-05-02T00:30:00+08:00'))).toBe(0);
  });
});
