// A claim whose reported location is far from where its IP range is usually seen: GPS spoofing or
// a proxy. The range's usual place is the centroid of locations seen from it in the window.
// Observed: km between the claim and that centroid.
import { z } from 'zod';
import type { Claim } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';
import { featureName } from '../common.ts';
import { haversineKm } from '../geo.ts';

export default defineRule({
  id: 'bot.location_ip_mismatch',
  version: 1,
  fraudType: 'bot_claiming',
  reason: 'BOT.IP_LOCATION_MISMATCH',
  appliesTo: ['claim'],
  subject: 'user',
  configSchema: z.object({ latSum: featureName, lonSum: featureName, located: featureName, minLocated: z.number().int().min(2), maxKm: z.number().positive() }),
  features: (c) => [c.latSum, c.lonSum, c.located],
  evaluate(e, f, c) {
    const ev = e as Claim;
    if (ev.lat === undefined || ev.lon === undefined || ev.ip === undefined) return noHit(null);
    const n = f[c.located] ?? 0;
    if (n < c.minLocated) return noHit(null);
    // Centroid of the others: remove this event's own contribution.
    const lat = ((f[c.latSum] ?? 0) - ev.lat) / (n - 1);
    const lon = ((f[c.lonSum] ?? 0) - ev.lon) / (n - 1);
    const km = haversineKm(lat, lon, ev.lat, ev.lon);
    return km > c.maxKm ? hit('BOT.IP_LOCATION_MISMATCH', Math.round(km)) : noHit(Math.round(km));
  },
});
