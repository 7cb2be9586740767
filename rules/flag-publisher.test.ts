import { describe, expect, it } from 'vitest';
import type { Flag } from '../core/decision.ts';
import { silentLogger } from '../core/logger.ts';
import { RulesFlagPublisher } from './flag-publisher.ts';

const flag = (id: string, score: number, reasons = ['CASHOUT.THRESHOLD_HUG']): Flag => ({ entityType: 'merchant', entityId: id, fraudType: 'cash_out', score, reasons });

describe('RulesFlagPublisher', () => {
  it('writes new and changed flags only, stamped with the clock, and retries what a failed write lost', async () => {
    let current: Flag[] = [flag('mer_1', 0.8), flag('mer_2', 0.9)];
    const writes: { ids: string[]; at: number }[] = [];
    let fail = false;
    let now = 1_000;
    const pub = new RulesFlagPublisher(
      { flags: () => current },
      async (flags, at) => {
        if (fail) throw new Error('store down');
        writes.push({ ids: flags.map((f) => f.entityId), at });
      },
      { now: () => now },
      silentLogger,
    );
    expect(await pub.publish()).toBe(2);
    expect(await pub.publish()).toBe(0);
    now = 2_000;
    current = [flag('mer_1', 0.8), flag('mer_2', 0.95), flag('mer_3', 0.7)];
    fail = true;
    await expect(pub.publish()).rejects.toThrow('store down');
    fail = false;
    expect(await pub.publish()).toBe(2);
    current = [flag('mer_1', 0.8, ['CASHOUT.THRESHOLD_HUG', 'CASHOUT.LATE_HOUR']), flag('mer_2', 0.95), flag('mer_3', 0.7)];
    await pub.stop();
    expect(writes).toEqual([
      { ids: ['mer_1', 'mer_2'], at: 1_000 },
      { ids: ['mer_2', 'mer_3'], at: 2_000 },
      { ids: ['mer_1'], at: 2_000 },
    ]);
  });
});
