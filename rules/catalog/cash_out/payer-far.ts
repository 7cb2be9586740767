// 支付立减 is paid at the counter: a payer located far from the shop pays remotely, by a scanned
// code passed around. Observed: km between the payer and the merchant.
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';
import { haversineKm } from '../geo.ts';

export default defineRule({
  id: 'cash_out.payer_far',
  version: 1,
  fraudType: 'cash_out',
  reason: 'CASH_OUT.PAYER_FAR',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({ maxKm: z.number().positive() }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const ev = e as Redemption;
    const m = ctx.reference.merchants.get(ev.merchantId);
    if (!m || ev.lat === undefined || ev.lon === undefined) return noHit(null);
    const km = Math.round(haversineKm(m.lat, m.lon, ev.lat, ev.lon) * 10) / 10;
    return km > c.maxKm ? hit('CASH_OUT.PAYER_FAR', km) : noHit(km);
  },
});
