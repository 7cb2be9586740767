// A rule set is versioned data: which rules run with which config and weight, the features they
// read, how scores map to outcomes, what a rule error does per campaign, and when hits become flags.
import { z } from 'zod';
import { FRAUD_TYPES } from '../../core/events.ts';
import { featureSpecSchema } from '../features/spec.ts';

const errorMode = z.enum(['open', 'closed']);

export const rulesetSchema = z
  .object({
    version: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, { error: 'must be 1-40 letters, digits, dots, dashes or underscores' }),
    description: z.string().optional(),
    features: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), featureSpecSchema),
    rules: z
      .array(
        z.object({
          id: z.string().min(1),
          version: z.number().int().min(1),
          weight: z.number().min(0).max(100),
          config: z.unknown(),
        }),
      )
      .min(1, { error: 'needs at least one rule' }),
    /** Score at or above which each outcome applies. */
    thresholds: z.object({ review: z.number().min(0), intercept: z.number().min(0), block: z.number().min(0) }),
    ruleErrors: z.object({
      default: errorMode,
      campaigns: z.record(z.string(), errorMode).default({}),
      /** The outcome a fail-closed error forces at least. */
      closedOutcome: z.enum(['review', 'intercept', 'block']).default('intercept'),
    }),
    /**
     * When an entity's hits of one fraud type become a flag. An event is "strong" for an entity
     * when the weights of its hits of that type add up to minEventScore; the entity is flagged
     * when it has minStrongEvents strong events making up minStrongRate of its evaluated ones.
     * `members`: for a merchant-level type, the users whose redemptions at a flagged merchant
     * scored memberMinEventScore are flagged with it (the accounts of a ring).
     * `support`: an entity with at least one strong event is flagged too when minSupportedEvents
     * of its events (the strong ones included) scored supportEventScore, at the same share: one
     * big order and a few smaller ones of the same kind.
     */
    flags: z.record(
      z.enum(FRAUD_TYPES),
      z.object({
        minEventScore: z.number().min(0),
        minStrongEvents: z.number().int().min(1),
        minStrongRate: z.number().min(0).max(1).default(0),
        memberMinEventScore: z.number().min(0).optional(),
        supportEventScore: z.number().min(0).optional(),
        minSupportedEvents: z.number().int().min(1).optional(),
      }),
    ),
    /** When an entity qualifies for several fraud types, the first in this list is reported. */
    flagPriority: z.array(z.enum(FRAUD_TYPES)).default(['subsidy_fraud', 'cash_out', 'price_gouging', 'hoarding', 'bot_claiming']),
  })
  .superRefine((r, ctx) => {
    if (!(r.thresholds.review <= r.thresholds.intercept && r.thresholds.intercept <= r.thresholds.block))
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'must satisfy review <= intercept <= block' });
    const seen = new Set<string>();
    r.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule "${rule.id}" is listed twice` });
      seen.add(rule.id);
    });
  });

export type Ruleset = z.infer<typeof rulesetSchema>;
export type RulesetInput = z.input<typeof rulesetSchema>;
