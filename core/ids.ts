// IDs carry a type prefix so a log line or a support ticket says what it refers to.
import { randomBytes } from 'node:crypto';
import type { Rng } from './rng.ts';

export const ID_PREFIXES = {
  event: 'evt',
  campaign: 'cmp',
  batch: 'bat',
  couponType: 'cpt',
  coupon: 'cpn',
  claim: 'clm',
  redemption: 'rdm',
  refund: 'rfd',
  order: 'ord',
  merchant: 'mch',
  user: 'usr',
  device: 'dev',
  decision: 'dec',
  case: 'case',
  review: 'rvw',
  inspection: 'insp',
  flag: 'flg',
  hold: 'hld',
  ring: 'ring',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A sortable id: prefix, 10 chars of time (ms, base32) and 12 random chars. With an Rng the random
 * part is seeded (simulator, replay); without one it comes from the OS.
 */
// Two characters per lookup: half the concatenations of one character at a time, same string.
const PAIRS: string[] = [];
for (let i = 0; i < 1024; i++) PAIRS.push(ALPHABET[i >> 5]! + ALPHABET[i & 31]!);

export function newId(kind: IdKind, timeMs: number, rng?: Rng): string {
  let t = Math.max(0, Math.floor(timeMs));
  let time = '';
  for (let i = 0; i < 5; i++) {
    time = PAIRS[t % 1024] + time;
    t = Math.floor(t / 1024);
  }
  let rand = '';
  if (rng) {
    for (let i = 0; i < 6; i++) {
      const hi = Math.floor(rng.next() * 32);
      rand += PAIRS[hi * 32 + Math.floor(rng.next() * 32)];
    }
  } else {
    const bytes = randomBytes(12);
    for (let i = 0; i < 12; i++) rand += ALPHABET[bytes[i]! % 32];
  }
  return `${ID_PREFIXES[kind]}_${time}${rand}`;
}
