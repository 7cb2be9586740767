import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { eventTimeMs, timeMs } from './event-time.ts';

describe('eventTimeMs', () => {
  it('equals Date.parse on random contract times in CST and UTC', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 20_000; i++) {
      const ms = rng.int(0, 4_000_000_000) * 1000 + rng.int(0, 999);
      const utc = new Date(ms).toISOString();
      const cst = new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
      const neg = new Date(ms - 5.5 * 3_600_000).toISOString().replace('Z', '-05:30');
      for (const s of [utc, cst, neg]) {
        expect(eventTimeMs(s), s).toBe(Date.parse(s));
        expect(timeMs(s), s).toBe(Date.parse(s));
      }
    }
  });

  it('falls back to Date.parse for other shapes and out-of-range fields', () => {
    const odd = [
      '2026-02-29T10:00:00.000+08:00', '2028-02-29T10:00:00.000+08:00', '2026-04-31T10:00:00.000+08:00', '2026-13-01T10:00:00.000+08:00',
      '2026-01-01T24:00:00.000+08:00', '2026-01-01T10:60:00.000+08:00', '2026-01-01T10:00:00+08:00', '2026-01-01T10:00:00.1+08:00',
      '2026-01-01T10:00:00.123456+08:00', '2026-01-01T10:00:00.000+24:00', '2026-01-01T10:00:00.000*08:00', '2026-01-01T10:00:00.000X',
      '1969-12-31T23:59:59.999Z', '2026-01-0aT10:00:00.000Z', 'not a time at all, 29 chars.', '',
    ];
    for (const s of odd) {
      expect(eventTimeMs(s), s).toBe(Date.parse(s));
      expect(timeMs(s), s).toBe(Date.parse(s));
    }
  });

  it('equals Date.parse on times in stream order (the hour kept from the time before)', () => {
    const rng = new Rng(12);
    let ms = Date.parse('2026-05-01T23:58:00.000+08:00');
    for (let i = 0; i < 20_000; i++) {
      ms += rng.int(0, 900);
      const cst = new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
      const s = i % 5 === 0 ? new Date(ms).toISOString() : cst;
      expect(eventTimeMs(s), s).toBe(Date.parse(s));
      // Same hour as the one before, but a field out of range or not a digit: Date.parse's answer.
      for (const bad of [s.slice(0, 14) + '6' + s.slice(15), s.slice(0, 17) + '7' + s.slice(18), s.slice(0, 21) + 'x' + s.slice(22)]) expect(eventTimeMs(bad), bad).toBe(Date.parse(bad));
    }
  });
});
