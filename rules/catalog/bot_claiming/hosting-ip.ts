// Consumers claim from home broadband and mobile networks; cloud data-centre ranges carry scripts.
// The ranges are data (an IP-intelligence feed in production). Observed: 1 when the IP is hosted.
import { z } from 'zod';
import type { Claim } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

// Each prefix ends at an octet or group boundary ("47.92" covers 47.92.x.x, not 47.920.x.x),
// written out once per config instead of once per claim, and filed by first character: most
// addresses share it with no prefix and are done with one array read.
const wholePrefixes = new WeakMap<string[], Map<number, string[]>>();

function byFirstChar(prefixes: string[]): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const p of prefixes) {
    const whole = p.endsWith('.') || p.endsWith(':') ? p : p + '.';
    const c = whole.charCodeAt(0);
    m.set(c, [...(m.get(c) ?? []), whole]);
  }
  return m;
}

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
    let filed = wholePrefixes.get(c.prefixes);
    if (!filed) wholePrefixes.set(c.prefixes, (filed = byFirstChar(c.prefixes)));
    const candidates = filed.get(ip.charCodeAt(0));
    if (candidates) for (let i = 0; i < candidates.length; i++) if (ip.startsWith(candidates[i]!)) return hit('BOT.HOSTING_IP', 1);
    return noHit(0);
  },
});
