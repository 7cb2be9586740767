// The shape most velocity and sharing rules have: one windowed feature (which includes the event
// itself) against a minimum. Each rule file names its own id, reason and subject.
import { defineRule, hit, noHit, type RuleDefinition } from '../types.ts';
import { atLeastConfig, type AtLeastConfig } from './common.ts';

export function featureAtLeastRule(
  meta: Pick<RuleDefinition<AtLeastConfig>, 'id' | 'version' | 'fraudType' | 'reason' | 'appliesTo' | 'subject'>,
): RuleDefinition<AtLeastConfig> {
  return defineRule({
    ...meta,
    configSchema: atLeastConfig,
    features: (c) => [c.feature],
    evaluate(_e, f, c) {
      const v = f[c.feature];
      if (v === undefined || Number.isNaN(v)) return noHit(null); // the event lacks the entity
      return v >= c.atLeast ? hit(meta.reason, v) : noHit(v);
    },
  });
}
