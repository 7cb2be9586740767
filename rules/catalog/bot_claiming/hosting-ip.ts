// Consumers claim from home broadband and mobile networks; cloud data-centre ranges carry scripts.
// The ranges are data (an IP-intelligence feed in production). Observed: 1 when the IP is hosted.
import { z } from 'zod';
import type { Claim } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

/**
 * The prefixes of one config filed by their first segment, so that an address is checked only
 * against the prefixes that can match it: most addresses share a first character with dozens of
 * cloud ranges ("1…") but their first octet with none. Each prefix ends at an octet or group
 * boundary ("47.92" covers 47.92.x.x, not 47.920.x.x).
 */
export interface FiledPrefixes {
  /** By segmentKey of the prefix: its first segment and separator ("47.") as a number. */
  bySegment: Map<number, string[]>;
  /** Prefixes whose first segment segmentKey cannot encode: tried for every address. */
  others: string[];
}

const filedFor = new WeakMap<string[], FiledPrefixes>();

/** A prefix as it must match: ending at a group's end, `:` for an IPv6 range, `.` for IPv4 ones. */
export function cutAtBoundary(p: string): string {
  if (p.endsWith('.') || p.endsWith(':')) return p;
  return p.includes(':') ? p + ':' : p + '.';
}

export function filePrefixes(prefixes: string[]): FiledPrefixes {
  let filed = filedFor.get(prefixes);
  if (filed !== undefined) return filed;
  filed = { bySegment: new Map(), others: [] };
  for (const p of prefixes) {
    const whole = cutAtBoundary(p);
    const k = segmentKey(whole);
    if (k < 0) filed.others.push(whole);
    else filed.bySegment.set(k, [...(filed.bySegment.get(k) ?? []), whole]);
  }
  filedFor.set(prefixes, filed);
  return filed;
}

// 5 bits per character a prefix may hold ([0-9a-fA-F.:], the config schema's), 0 for any other.
const CODE = new Uint8Array(128);
'0123456789abcdefABCDEF.:'.split('').forEach((ch, i) => (CODE[ch.charCodeAt(0)] = i + 1));

/**
 * The text up to and including the first '.' or ':' as a number (at most 4 characters and the
 * separator: 25 bits, a small integer), or -1 when it is longer or holds a character no prefix
 * has. A string that starts with a prefix has the prefix's first segment, hence its key.
 */
export function segmentKey(s: string): number {
  let k = 0;
  for (let i = 0; i < 5 && i < s.length; i++) {
    const c = s.charCodeAt(i);
    const code = c < 128 ? CODE[c]! : 0;
    if (code === 0) return -1;
    k = k * 32 + code;
    if (c === 46 || c === 58) return k;
  }
  return -1;
}

export function hosted(ip: string, filed: FiledPrefixes): boolean {
  const k = segmentKey(ip);
  const candidates = k < 0 ? undefined : filed.bySegment.get(k);
  if (candidates !== undefined) for (let i = 0; i < candidates.length; i++) if (ip.startsWith(candidates[i]!)) return true;
  const others = filed.others;
  for (let i = 0; i < others.length; i++) if (ip.startsWith(others[i]!)) return true;
  return false;
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
    return hosted(ip, filePrefixes(c.prefixes)) ? hit('BOT.HOSTING_IP', 1) : noHit(0);
  },
});
