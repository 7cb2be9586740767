// One card paying the coupon orders of accounts that live apart: an organiser's card settling
// fake orders for recruits. A family card is shared too, but its accounts claim from one home;
// the recruits of a cash-out ring each claim from their own. Observed: homes (claim places more
// than `apartKm` apart) among the card's payers, this one included; the merchant carries the hit.
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

export default defineRule({
  id: 'cash_out.card_across_households',
  version: 1,
  fraudType: 'cash_out',
  reason: 'CASH_OUT.CARD_ACROSS_HOUSEHOLDS',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({ atLeast: z.number().int().min(2), apartKm: z.number().positive() }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const ev = e as Redemption;
    if (ev.cardHash === undefined) return noHit(null);
    const n = ctx.reference.cardPayerHomes(ev.cardHash, ev.userId, c.apartKm);
    if (n === undefined) return noHit(null);
    return n >= c.atLeast ? hit('CASH_OUT.CARD_ACROSS_HOUSEHOLDS', n) : noHit(n);
  },
});
