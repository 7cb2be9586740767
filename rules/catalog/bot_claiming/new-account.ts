// Accounts opened days before a drop to claim with. Observed: account age in hours at the claim.
import { z } from 'zod';
import type { Claim } from '../../../core/events.ts';
import { timeMs } from '../../engine/event-time.ts';
import { defineRule, hit, noHit } from '../../types.ts';

export default defineRule({
  id: 'bot.new_account',
  version: 1,
  fraudType: 'bot_claiming',
  reason: 'BOT.NEW_ACCOUNT',
  appliesTo: ['claim'],
  subject: 'user',
  configSchema: z.object({ maxAgeHours: z.number().positive() }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const created = (e as Claim).accountCreatedAt;
    if (created === undefined) return noHit(null);
    const ageHours = (ctx.facts.t - timeMs(created)) / 3_600_000; // Date.parse's answer, faster
    return ageHours < c.maxAgeHours ? hit('BOT.NEW_ACCOUNT', Math.round(ageHours * 10) / 10) : noHit(Math.round(ageHours * 10) / 10);
  },
});
