// Scripts fire the instant a batch drops; a person opening the app, finding the coupon and tapping
// through takes seconds. Observed: ms between the batch's drop time and the claim.
import { z } from 'zod';
import type { Claim } from '../../../core/events.ts';
import { defineRule, hit, noHit, SKIPPED } from '../../types.ts';

export default defineRule({
  id: 'bot.claim_latency',
  version: 1,
  fraudType: 'bot_claiming',
  reason: 'BOT.CLAIM_LATENCY',
  appliesTo: ['claim'],
  subject: 'user',
  configSchema: z.object({ maxLatencyMs: z.number().int().positive() }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const drop = ctx.facts.batchDropAt;
    if (drop === null) return SKIPPED;
    const latency = ctx.facts.t - drop;
    void (e as Claim);
    return latency >= 0 && latency < c.maxLatencyMs ? hit('BOT.CLAIM_LATENCY', latency) : noHit(latency);
  },
});
