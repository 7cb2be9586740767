// What a simulation is asked for: a seed, a size and the fraud knobs. Parsed with zod so a bad
// knob is named in the error.
import { z } from 'zod';

export { resolveKnobs, SCALES, type FraudKnobs, type Scale } from './scales.ts';

const knob = z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must not be negative' }).max(100_000);

export const fraudKnobsSchema = z.object({
  /** Bot-claiming farms (each 25-50 accounts blatant, 10-20 subtle). */
  botFarms: knob.optional(),
  /** Colluding shops, each with 15-35 (blatant) or 8-15 (subtle) recruited accounts. */
  cashOutRings: knob.optional(),
  /** Individual hoarders. */
  hoarders: knob.optional(),
  /** People behind several accounts and a shell shop. */
  subsidyRings: knob.optional(),
  /** Shops that raise prices at the start. */
  gougers: knob.optional(),
  /** Share of each scenario's instances that are subtle, 0-1. */
  subtleShare: z.number({ error: 'must be a number between 0 and 1' }).min(0).max(1).optional(),
});

export const simulateOptionsSchema = z.object({
  seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }),
  scale: z.enum(['small', 'city'], { error: 'must be small or city' }),
  /** Override the scale's honest population. */
  users: knob.optional(),
  merchants: knob.min(7, { error: 'must be at least 7 (one shop per category)' }).optional(),
  fraud: fraudKnobsSchema.default({}),
  /** CST day of the first drop. */
  startDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be YYYY-MM-DD' }).default('2026-05-01'),
  background: z.string().min(1).optional(),
  backgroundLimit: knob.max(10_000_000).optional(),
  /** The program's HMAC secret: the same as the engine uses, so hashes match imported data. */
  hmacSecret: z.string().min(16, { error: 'must be at least 16 characters' }),
  /** Where the per-day spill files go while sorting, once the memory budget is exceeded. */
  spillDir: z.string().min(1),
  /** Bytes of encoded events held in memory (per shard) before spilling to disk. */
  memoryBudgetBytes: z.number().int().positive().optional(),
  /** Honest winners per shard (see shard.ts); part of what the bytes depend on, unlike `threads`. */
  usersPerShard: knob.min(100, { error: 'must be at least 100' }).optional(),
  /** Worker threads generating shards side by side (1: all in this thread); the bytes do not depend on it. */
  threads: z.number({ error: 'must be a whole number from 1 to 64' }).int({ error: 'must be a whole number from 1 to 64' }).min(1).max(64).optional(),
});

export type SimulateOptions = z.input<typeof simulateOptionsSchema>;
export type ResolvedOptions = z.output<typeof simulateOptionsSchema>;
