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

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
// The prefix's characters ("dec_") go into the same fromCharCode call as the rest: a prefix
// joined with `+` made a rope, flattened into a third string the first time a character was read
// (the engine copies every decision id into its recent-decisions table).
const PREFIX_CODES = Object.fromEntries(Object.entries(ID_PREFIXES).map(([k, p]) => [k, Array.from(`${p}_`, (c) => c.charCodeAt(0))])) as Record<IdKind, number[]>;
// The 22 characters are gathered here and made into one string at once (a character at a time
// made ~20 intermediate strings per id, on the decision path once per event).
const chars = new Array<number>(22).fill(0);

/**
 * A sortable id: prefix, 10 chars of time (ms, base32) and 12 random chars. With an Rng the random
 * part is seeded (simulator, replay); without one it comes from the OS.
 */
export function newId(kind: IdKind, timeMs: number, rng?: Rng): string {
  // The low 50 bits of the time, five characters per 25 bits: integer arithmetic on two small
  // halves instead of ten divisions of a number past 2^32.
  const t = Math.max(0, Math.floor(timeMs));
  let lo = t % 33_554_432, hi = Math.floor(t / 33_554_432) % 33_554_432;
  for (let i = 9; i >= 5; i--) {
    chars[i] = CODES[lo & 31]!;
    lo >>>= 5;
  }
  for (let i = 4; i >= 0; i--) {
    chars[i] = CODES[hi & 31]!;
    hi >>>= 5;
  }
  if (rng) {
    for (let i = 10; i < 22; i++) chars[i] = CODES[Math.floor(rng.next() * 32)]!;
  } else {
    const bytes = randomBytes(12);
    for (let i = 0; i < 12; i++) chars[10 + i] = CODES[bytes[i]! % 32]!;
  }
  const c = chars, p = PREFIX_CODES[kind];
  if (p.length === 4)
    return String.fromCharCode(p[0]!, p[1]!, p[2]!, p[3]!, c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!, c[13]!, c[14]!, c[15]!, c[16]!, c[17]!, c[18]!, c[19]!, c[20]!, c[21]!);
  if (p.length === 5)
    return String.fromCharCode(p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!, c[13]!, c[14]!, c[15]!, c[16]!, c[17]!, c[18]!, c[19]!, c[20]!, c[21]!);
  return String.fromCharCode(...p, ...c);
}
