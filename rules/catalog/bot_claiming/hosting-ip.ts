// Consumers claim from home broadband and mobile networks; cloud data-centre ranges carry scripts.
// The ranges are data (an IP-intelligence feed in production). Observed: 1 when the IP is hosted.
import { z } from 'zod';
import type { Claim } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

// Each prefix ends at an octet or group boundary ("47.92" covers 47.92.x.x, not 47.920.x.x),
// written out once per config instead of once per claim.
const wholePrefixes = new WeakMap<string[], string[]>();

export default defineRule({
  id: 'bot.hosting_ip',
  version: 1,
  fraudType: 'bot_claiming',
  reason: 'BOT.HOSTING_IP',
  appliesTo: ['claim'],
  subject: 'user',
  configSchema: z.object({ prefixes: z.array(z.string().regex(/^[0-9a-f.:]+$/i)).min(1) }),
  features: () => [],
  evaluate(e, _f, c) {
    const ip = (e as Claim).ip;
    if (ip === undefined) return noHit(null);
    let whole = wholePrefixes.get(c.prefixes);
    if (!whole) wholePrefixes.set(c.prefixes, (whole = c.prefixes.map((p) => (p.endsWith('.') || p.endsWith(':') ? p : p + '.'))));
    for (let i = 0; i < whole.length; i++) if (ip.startsWith(whole[i]!)) return hit('BOT.HOSTING_IP', 1);
    return noHit(0);
  },
});
