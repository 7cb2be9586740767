// What the risk engine answers and what the issuance core asks. Outcomes combine by explicit
// priority: allow < review < intercept < block.
import type { Claim, FraudType, Redemption } from './events.ts';

export const OUTCOMES = ['allow', 'review', 'intercept', 'block'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function outcomePriority(o: Outcome): number {
  return OUTCOMES.indexOf(o);
}

export function strongestOutcome(a: Outcome, b: Outcome): Outcome {
  return outcomePriority(a) >= outcomePriority(b) ? a : b;
}

export interface RiskDecision {
  decisionId: string;
  eventId: string;
  decision: Outcome;
  score: number;
  /** Stable reason codes, e.g. CASH_OUT.THRESHOLD_HUGGING. */
  reasons: string[];
  rulesetVersion: string;
}

/**
 * The issuance core asks this before granting a claim and before applying a redemption. The event
 * is the one that would be emitted if the answer allows it.
 */
export interface RiskDecider {
  /** Shown in the start log, so an allow-all stand-in is never mistaken for the rules engine. */
  readonly name: string;
  decide(event: Claim | Redemption): Promise<RiskDecision>;
}

/** A flag on an entity, as `flags.json` in the event contract describes it. */
export interface Flag {
  entityType: 'user' | 'merchant' | 'device' | 'ring';
  entityId: string;
  fraudType: FraudType;
  score: number;
  reasons: string[];
  members?: string[];
}
