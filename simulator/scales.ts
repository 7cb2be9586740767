// The scales' sizes and default fraud knobs, and the knobs a parsed options object comes to. Kept
// apart from options.ts: a worker thread gets its options already parsed, and importing zod was
// ~0.2 s of each worker's ~0.5 s start.
import type { ResolvedOptions } from './options.ts';

export const SCALES = {
  small: { users: 3_000, merchants: 150, fraud: { botFarms: 2, cashOutRings: 3, hoarders: 10, subsidyRings: 4, gougers: 6 } },
  city: { users: 200_000, merchants: 5_000, fraud: { botFarms: 24, cashOutRings: 40, hoarders: 240, subsidyRings: 80, gougers: 150 } },
} as const;
export type Scale = keyof typeof SCALES;

export interface FraudKnobs {
  botFarms: number;
  cashOutRings: number;
  hoarders: number;
  subsidyRings: number;
  gougers: number;
  subtleShare: number;
}

export function resolveKnobs(o: ResolvedOptions): FraudKnobs {
  const d = SCALES[o.scale].fraud;
  return {
    botFarms: o.fraud.botFarms ?? d.botFarms,
    cashOutRings: o.fraud.cashOutRings ?? d.cashOutRings,
    hoarders: o.fraud.hoarders ?? d.hoarders,
    subsidyRings: o.fraud.subsidyRings ?? d.subsidyRings,
    gougers: o.fraud.gougers ?? d.gougers,
    subtleShare: o.fraud.subtleShare ?? 0.5,
  };
}
