// The vocabulary of the rules engine: what a rule is, what it answers, what it reads.
// Rules are pure: (event, features, config, reference) → result; time is the event's occurredAt.
import type { z } from 'zod';
import type { Claim, EventType, FraudType, QuanguardEvent, Redemption } from '../core/events.ts';
import type { Reference } from './reference/state.ts';

export type RuleOutcome = 'hit' | 'no_hit' | 'error' | 'skipped' | 'snoozed';

export interface RuleResult {
  outcome: Exclude<RuleOutcome, 'snoozed'>;
  /** The value the rule measured (a count, a ratio, a latency in ms); null when not measured. */
  observed: number | null;
  /** Set on a hit: the rule's stable reason code. */
  reason?: string;
}

/** Who carries the blame of a hit in flags.json. */
export type FlagSubject = 'user' | 'merchant' | 'device';

/** Feature values for one event, by feature name (see rules/features/spec.ts). Include the event itself. */
export type Features = Readonly<Record<string, number>>;

/** Derived facts the engine computes once per event, shared by every rule. */
export interface EventFacts {
  t: number;
  /** Threshold and discount of the coupon type named in the event, when the campaign is known. */
  thresholdFen: number | null;
  couponDiscountFen: number | null;
  batchDropAt: number | null;
}

export type DecisionEvent = Claim | Redemption;

export interface RuleDefinition<C = unknown> {
  id: string;
  version: number;
  fraudType: FraudType;
  reason: string;
  /** Event types the rule evaluates; others are `skipped` without being called. */
  appliesTo: readonly EventType[];
  subject: FlagSubject;
  configSchema: z.ZodType<C>;
  /** Feature names the rule reads from `features` (checked against the rule set at start). */
  features(config: C): string[];
  evaluate(event: QuanguardEvent, features: Features, config: C, ctx: RuleContext): RuleResult;
  /**
   * Optional: an evaluate made for one config, giving the same answers as `evaluate` with it. The
   * engine calls it instead when the rule set is compiled. For rule shapes many rules share
   * (featureAtLeastRule): their one `evaluate` reads a different feature per rule, so its keyed
   * read sees every feature name and V8 keeps it generic (a megamorphic lookup, the number boxed);
   * one function per config reads its feature by a constant name.
   */
  specialize?(config: C): RuleDefinition<C>['evaluate'];
}

export interface RuleContext {
  facts: EventFacts;
  reference: Reference;
}

export const NO_HIT_NULL: RuleResult = Object.freeze({ outcome: 'no_hit', observed: null }) as RuleResult;
export const SKIPPED: RuleResult = Object.freeze({ outcome: 'skipped', observed: null }) as RuleResult;

export function hit(reason: string, observed: number): RuleResult {
  return { outcome: 'hit', observed, reason };
}
// Most observed values of a no-hit are small counts or hours: one frozen result each, shared,
// instead of a new object per rule per event (results are never changed after they are made).
const NO_HIT_SMALL: readonly RuleResult[] = Array.from({ length: 1024 }, (_, i) => Object.freeze({ outcome: 'no_hit', observed: i }) as RuleResult);

export function noHit(observed: number | null): RuleResult {
  if (observed === null) return NO_HIT_NULL;
  // 0 only when it is +0: a -0 keeps its own object.
  if ((observed | 0) === observed && observed >= 0 && observed < 1024 && (observed !== 0 || 1 / observed > 0)) return NO_HIT_SMALL[observed]!;
  return { outcome: 'no_hit', observed };
}
export function defineRule<C>(def: RuleDefinition<C>): RuleDefinition<C> {
  return def;
}
