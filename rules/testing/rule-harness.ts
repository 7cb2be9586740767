// Evaluates one rule on one event against a reference built from earlier events.
import type { QuanguardEvent } from '../../core/events.ts';
import { factsOf } from '../engine/evaluate.ts';
import { Reference } from '../reference/state.ts';
import type { RuleDefinition, RuleResult } from '../types.ts';

export function evaluateRule<C>(rule: RuleDefinition<C>, config: C, event: QuanguardEvent, opts: { features?: Record<string, number>; before?: QuanguardEvent[] } = {}): RuleResult {
  const ref = new Reference();
  for (const e of opts.before ?? []) ref.observe(e, Date.parse(e.occurredAt));
  const cfg = rule.configSchema.parse(config);
  const t = Date.parse(event.occurredAt);
  return rule.evaluate(event, opts.features ?? {}, cfg, { facts: factsOf(event, t, ref), reference: ref });
}
