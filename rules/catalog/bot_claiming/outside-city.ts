// The coupons are for people in the city; a claim located far outside the campaign's geofence
// comes from a spoofed or remote client. Observed: km from the fence centre.
import { z } from 'zod';
import type { Claim } from '../../../core/events.ts';
import { defineRule, hit, noHit, SKIPPED } from '../../types.ts';
import { haversineKm } from '../geo.ts';

export default defineRule({
  id: 'bot.location_outside_city',
  version: 1,
  fraudType: 'bot_claiming',
  reason: 'BOT.OUTSIDE_CITY',
  appliesTo: ['claim'],
  subject: 'user',
  configSchema: z.object({ marginKm: z.number().min(0) }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const ev = e as Claim;
    const fence = ctx.reference.campaigns.get(ev.campaignId)?.geoFence;
    if (!fence) return SKIPPED;
    if (ev.lat === undefined || ev.lon === undefined) return noHit(null);
    const km = haversineKm(fence.lat, fence.lon, ev.lat, ev.lon);
    return km > fence.radiusKm + c.marginKm ? hit('BOT.OUTSIDE_CITY', Math.round(km)) : noHit(Math.round(km));
  },
});
