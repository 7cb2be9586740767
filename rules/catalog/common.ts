// Config pieces several rules share.
import { z } from 'zod';

export const featureName = z.string().min(1, { error: 'must name a feature of the rule set' });
export const positiveInt = z.number().int().min(1);
export const ratio = z.number().positive();

/** A rule comparing one windowed feature with a minimum: the most common shape. */
export const atLeastConfig = z.object({ feature: featureName, atLeast: z.number().positive() });
export type AtLeastConfig = z.infer<typeof atLeastConfig>;
