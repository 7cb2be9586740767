// A claim by an account the ring model already placed in a bot farm: the next drop's claims of a
// known farm are stopped at the door instead of being found again after the fact.
// Observed: the score of the farm in the latest model run before the claim.
import { z } from 'zod';
import type { Claim } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

export default defineRule({
  id: 'bot_claiming.model_ring_member',
  version: 1,
  fraudType: 'bot_claiming',
  reason: 'BOT.MODEL_RING_MEMBER',
  appliesTo: ['claim'],
  subject: 'user',
  configSchema: z.object({ minScore: z.number().min(0).max(1) }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const ring = ctx.reference.modelScores.ring((e as Claim).userId, 'bot_claiming', ctx.facts.t);
    if (!ring) return noHit(null);
    return ring.score >= c.minScore ? hit('BOT.MODEL_RING_MEMBER', ring.score) : noHit(ring.score);
  },
});
