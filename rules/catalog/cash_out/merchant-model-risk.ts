// A redemption at a shop the merchant-risk forest votes cash-out: what the shape of many orders
// shows (hugging, shared cards, refunds, ring membership) brought to the single checkout.
// Observed: the share of trees voting cash_out in the latest model run before the event.
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

export default defineRule({
  id: 'cash_out.merchant_model_risk',
  version: 1,
  fraudType: 'cash_out',
  reason: 'CASH_OUT.MERCHANT_MODEL_RISK',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({ minShare: z.number().min(0).max(1) }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const ev = e as Redemption;
    const score = ctx.reference.modelScores.merchant(ev.merchantId, ctx.facts.t);
    if (!score) return noHit(null); // no model run yet, or the shop was not in its window
    const share = Math.round((score.shares.cash_out ?? 0) * 1000) / 1000;
    return share >= c.minShare ? hit('CASH_OUT.MERCHANT_MODEL_RISK', share) : noHit(share);
  },
});
