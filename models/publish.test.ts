import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import type { Flag } from '../core/decision.ts';
import { silentLogger } from '../core/logger.ts';
import { memoryEngine } from '../rules/engine/engine.ts';
import { MemoryListStore } from '../rules/lists/memory.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { at, campaign, claim } from '../rules/testing/events.ts';
import { blockEntries, PUBLISH_POLICY, publishToRules } from './publish.ts';
import { createModelScheduler } from './scheduler.ts';
import { addBotFarm, addHonestUsers, baseWindow, T0 } from './testing/window-fixtures.ts';

const DAY = 86_400_000;

describe('blockEntries', () => {
  const ring: Flag = { entityType: 'ring', entityId: 'ring_1', fraudType: 'cash_out', score: 0.9, reasons: ['RING.CASH_OUT.SHARED_CARDS'], members: ['usr_a', 'usr_b', 'mch_x', 'dev_1'] };
  it('blocks the users and the shop of a strong ring, with an expiry, who and why', () => {
    const entries = blockEntries([ring], 1_000, 'model:test');
    expect(entries.map((e) => `${e.entityType}:${e.entityId}`)).toEqual(['user:usr_a', 'user:usr_b', 'merchant:mch_x']);
    expect(entries[0]).toMatchObject({ kind: 'block', expiresAt: 1_000 + PUBLISH_POLICY.blockDays * DAY, by: 'model:test', createdAt: 1_000 });
    expect(entries[0]!.reason).toMatch(/cash_out ring ring_1 score 0.9: RING.CASH_OUT.SHARED_CARDS/);
  });

  it('blocks nothing for flags under the policy scores', () => {
    const weak: Flag[] = [{ ...ring, score: PUBLISH_POLICY.blockMinScore.ring - 0.01 }, { entityType: 'merchant', entityId: 'mch_y', fraudType: 'price_gouging', score: PUBLISH_POLICY.blockMinScore.merchant - 0.01, reasons: [] }];
    expect(blockEntries(weak, 1_000, 'model:test')).toEqual([]);
  });
});

describe('a scheduled model run in the rules engine (as npm start wires it)', () => {
  it('blocks the next claim of a farm account and leaves an honest one alone', async () => {
    const w = baseWindow();
    addHonestUsers(w, 100);
    addBotFarm(w, 30, 2);
    const lists = new MemoryListStore();
    const engine = memoryEngine(loadRuleset('v1'), { lists });
    const clock = new ManualClock(w.endMs);
    const scheduler = createModelScheduler({
      clock, intervalMs: 60_000, windowMs: 30 * DAY, forest: null, logger: silentLogger,
      loadWindow: async () => w,
      writeFlags: async () => {},
      publish: publishToRules({ reference: engine.reference, lists }),
    });
    await scheduler.runOnce();
    expect(engine.reference.modelScores.ring('usr_b3', 'bot_claiming', w.endMs)?.score).toBeGreaterThan(0.6);

    await engine.process(campaign({ startsAt: at(T0 - DAY), endsAt: at(T0 + 30 * DAY) }));
    const ordinary = { deviceId: 'dev_new', ip: '180.111.2.3', lat: 34.6, lon: 119.2, userAgent: 'Mozilla/5.0 (iPhone) AlipayClient/10.6.10', occurredAt: at(w.endMs + 3_600_000) };
    const farm = await engine.decide(claim({ userId: 'usr_b3', ...ordinary }));
    expect(farm.decision).toBe('block');
    expect(farm.reasons[0]).toBe('LIST.BLOCKED');
    const honest = await engine.decide(claim({ userId: 'usr_h3', ...ordinary }));
    expect(honest.decision).toBe('allow');
  });
});
