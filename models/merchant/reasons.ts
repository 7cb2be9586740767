// Reason codes for a flagged merchant: the forest says "how likely", these say "what stood out",
// read straight from the features so an inspector knows where to look.
import { FEATURE_NAMES, type FeatureName } from './features.ts';

const CHECKS: Array<[FeatureName, (v: number) => boolean, string]> = [
  ['redemptionShareVsPeers', (v) => v >= Math.log(3), 'MERCHANT.REDEMPTIONS_ABOVE_PEERS'],
  ['refundRatio', (v) => v >= 0.2, 'MERCHANT.REFUND_RATIO'],
  ['thresholdHuggingShare', (v) => v >= 0.4, 'MERCHANT.THRESHOLD_HUGGING'],
  ['lateHourShare', (v) => v >= 0.2, 'MERCHANT.LATE_HOURS'],
  ['repeatPairShare', (v) => v >= 0.3, 'MERCHANT.REPEAT_PAIRS'],
  ['payerDistanceVsPeers', (v) => v >= 10, 'MERCHANT.DISTANT_PAYERS'],
  ['sharedCardShare', (v) => v >= 0.2, 'MERCHANT.SHARED_CARDS'],
  ['ownerLinkedShare', (v) => v > 0, 'MERCHANT.OWNER_REDEEMS'],
  ['maxPriceRise', (v) => v >= 0.15, 'MERCHANT.PRICE_RISE'],
  ['priceRiseBreadth', (v) => v >= 0.3, 'MERCHANT.BROAD_PRICE_RISE'],
  ['tillOverMenuShare', (v) => v >= 0.3, 'MERCHANT.TILL_ABOVE_MENU'],
  ['ringScore', (v) => v > 0, 'MERCHANT.IN_RING'],
];

export function merchantReasons(values: readonly number[]): string[] {
  const out: string[] = [];
  for (const [name, hit, code] of CHECKS) if (hit(values[FEATURE_NAMES.indexOf(name)]!)) out.push(code);
  return out;
}
