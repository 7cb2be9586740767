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
    specialize: (c) => atLeastReader(c.feature)(hit, noHit, meta.reason),
  });
}

type Evaluate = RuleDefinition<AtLeastConfig>['evaluate'];

/**
 * The evaluate above with the feature's name written into its source. Every rule of this shape
 * shares the one function literal above, hence one feedback vector: its `f[c.feature]` sees a
 * dozen names and V8 makes it a generic lookup that boxes the number it reads. A function
 * compiled from its own source has its own feedback, and a constant name is a plain field read.
 * Feature names are checked by the rule set schema (`[A-Za-z0-9._-]+`); JSON.stringify quotes
 * them either way.
 */
function atLeastReader(feature: string): (h: typeof hit, n: typeof noHit, reason: string) => Evaluate {
  return new Function(
    'hit',
    'noHit',
    'reason',
    `return function atLeast(_e, f, c) {
      const v = f[${JSON.stringify(feature)}];
      if (v === undefined || Number.isNaN(v)) return noHit(null);
      return v >= c.atLeast ? hit(reason, v) : noHit(v);
    };`,
  ) as (h: typeof hit, n: typeof noHit, reason: string) => Evaluate;
}
