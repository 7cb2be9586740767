// The simulator's id maker: the same strings as core `newId(kind, time, rng)` and the same draws
// from the Rng, built as one flat string. newId prepends and appends a character at a time (22
// intermediate strings per id) and the simulator makes two or three ids per event.
import { ID_PREFIXES, type IdKind } from '../core/ids.ts';
import type { Rng } from '../core/rng.ts';

const CODES = Array.from('0123456789abcdefghjkmnpqrstvwxyz', (c) => c.charCodeAt(0));
const chars: number[] = new Array<number>(22).fill(0);

export function simId(kind: IdKind, timeMs: number, rng: Rng): string {
  let t = Math.max(0, Math.floor(timeMs));
  for (let i = 9; i >= 0; i--) {
    chars[i] = CODES[t % 32]!;
    t = Math.floor(t / 32);
  }
  for (let i = 10; i < 22; i++) chars[i] = CODES[Math.floor(rng.next() * 32)]!;
  return `${ID_PREFIXES[kind]}_${String.fromCharCode.apply(null, chars)}`;
}
