import type { Variant } from '../labels.ts';

/** The first round(count × subtleShare) instances of a scenario are subtle, the rest blatant. */
export function variantOf(index: number, count: number, subtleShare: number): Variant {
  return index < Math.round(count * subtleShare) ? 'subtle' : 'blatant';
}
