import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import type { Flag } from '../core/decision.ts';
import { silentLogger } from '../core/logger.ts';
import { waitFor } from '../test/services.ts';
import { createModelScheduler } from './scheduler.ts';
import { addBotFarm, addHonestUsers, baseWindow } from './testing/window-fixtures.ts';

function farmWindow() {
  const w = baseWindow();
  addHonestUsers(w, 100);
  addBotFarm(w, 30, 2);
  return w;
}

describe('model scheduler', () => {
  it('runs over the window ending at the clock, writes the ring flags and keeps the latest scores', async () => {
    const clock = new ManualClock(1_000_000);
    const asked: Array<[number, number]> = [];
    const written: Array<{ flags: readonly Flag[]; at: number }> = [];
    const s = createModelScheduler({
      clock, intervalMs: 60_000, windowMs: 3_600_000, forest: null, logger: silentLogger,
      loadWindow: async (from, to) => (asked.push([from, to]), farmWindow()),
      writeFlags: async (flags, at) => void written.push({ flags, at }),
    });
    await s.runOnce();
    expect(asked).toEqual([[1_000_000 - 3_600_000, 1_000_000]]);
    expect(written[0]!.at).toBe(1_000_000);
    expect(written[0]!.flags.filter((f) => f.fraudType === 'bot_claiming')).toHaveLength(1);
    expect(s.latest()!.rings.get('usr_b0')![0]).toMatchObject({ fraudType: 'bot_claiming' });
    expect(s.latest()!.rings.get('usr_b0')![0]!.score).toBeGreaterThan(0.6);
    expect(s.latest()!.rings.has('usr_h0')).toBe(false);
  });

  it('keeps running on its interval after a failed run, and stops cleanly', async () => {
    const clock = new ManualClock(5_000_000);
    let calls = 0;
    const s = createModelScheduler({
      clock, intervalMs: 5, windowMs: 1_000, forest: null, logger: silentLogger,
      loadWindow: async () => {
        calls++;
        clock.advance(1_000);
        if (calls === 1) throw new Error('store down');
        return farmWindow();
      },
      writeFlags: async () => {},
    });
    s.start();
    await waitFor(() => s.runs >= 2, { what: 'two successful runs after a failure' });
    await s.stop();
    const after = calls;
    expect(after).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(after);
  });

  it('refuses a non-positive interval', () => {
    expect(() => createModelScheduler({ clock: new ManualClock(0), intervalMs: 0, windowMs: 1, forest: null, logger: silentLogger, loadWindow: async () => baseWindow(), writeFlags: async () => {} })).toThrow(/intervalMs/);
  });
});
