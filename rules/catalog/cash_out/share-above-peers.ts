// A merchant taking far more coupon redemptions than shops of its category in its district: the
// footprint of a cash-out point. Observed: its redemptions over its peers' median.
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

export default defineRule({
  id: 'cash_out.share_above_peers',
  version: 1,
  fraudType: 'cash_out',
  reason: 'CASH_OUT.PEER_SHARE',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({ minPeers: z.number().int().min(2), minRedemptions: z.number().int().min(1), minRatio: z.number().positive() }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const ev = e as Redemption;
    const m = ctx.reference.merchants.get(ev.merchantId);
    if (!m) return noHit(null);
    const own = ctx.reference.merchantRedemptionCount(ev.merchantId);
    const { median, peers } = ctx.reference.peerRedemptionMedian(m);
    if (peers < c.minPeers || median === null || median <= 0 || own < c.minRedemptions) return noHit(null);
    const r = Math.round((own / median) * 100) / 100;
    return r >= c.minRatio ? hit('CASH_OUT.PEER_SHARE', r) : noHit(r);
  },
});
