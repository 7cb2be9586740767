// Turns rule-set data into what the engine runs: each configured rule found in the registry at
// the configured version, its config parsed by its own schema, every feature it reads declared.
// Any mismatch stops the start with a message naming the rule and what to change.
import type { EventType, FraudType } from '../../core/events.ts';
import type { Outcome } from '../../core/decision.ts';
import type { FeatureSpec } from '../features/spec.ts';
import type { AnyRule, RuleRegistry } from '../registry.ts';
import { rulesetSchema, type Ruleset } from '../ruleset/schema.ts';
import type { RulesRunner } from './evaluate.ts';

export interface CompiledRule {
  def: AnyRule;
  /** `id@version`, as stored in explanations. */
  key: string;
  config: unknown;
  weight: number;
  /** What def.specialize made for this config, called instead of def.evaluate; undefined without one. */
  specialized: AnyRule['evaluate'] | undefined;
}

export interface CompiledFeature {
  name: string;
  spec: FeatureSpec;
  bucketMs: number;
}

export interface CompiledRuleset {
  version: string;
  source: Ruleset;
  rules: CompiledRule[];
  features: CompiledFeature[];
  /** Rules and features by event type, precomputed for the hot path. */
  rulesFor: Map<EventType, CompiledRule[]>;
  featuresFor: Map<EventType, CompiledFeature[]>;
  /** Per event type, its rules compiled into one function (evaluate.ts makes it on first use). */
  runners: Map<EventType, RulesRunner>;
  thresholds: Ruleset['thresholds'];
  ruleErrors: Ruleset['ruleErrors'];
  flags: Ruleset['flags'];
  flagPriority: Ruleset['flagPriority'];
  fraudTypeOf: Map<string, FraudType>;
}

export class RulesetError extends Error {
  override name = 'RulesetError';
}

export function compileRuleset(raw: unknown, registry: RuleRegistry): CompiledRuleset {
  const parsed = rulesetSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new RulesetError(`rules: rule set is invalid at ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const rs = parsed.data;
  const rules: CompiledRule[] = [];
  const used = new Set<string>();
  for (const r of rs.rules) {
    const def = registry.get(r.id);
    if (!def) throw new RulesetError(`rules: rule set ${rs.version} names rule "${r.id}", which this build does not have; remove it or deploy a build that has it`);
    if (def.version !== r.version)
      throw new RulesetError(`rules: rule set ${rs.version} wants ${r.id}@${r.version} but this build has ${r.id}@${def.version}; update the rule set or the build`);
    const cfg = def.configSchema.safeParse(r.config);
    if (!cfg.success) {
      const i = cfg.error.issues[0]!;
      throw new RulesetError(`rules: config of ${r.id} in rule set ${rs.version} is invalid at ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    for (const f of def.features(cfg.data)) {
      if (!rs.features[f]) throw new RulesetError(`rules: ${r.id} reads feature "${f}", which rule set ${rs.version} does not define`);
      used.add(f);
    }
    rules.push({ def, key: `${def.id}@${def.version}`, config: cfg.data, weight: r.weight, specialized: def.specialize?.(cfg.data) });
  }
  // Only features some rule reads are computed: an unused definition costs nothing per event.
  const features: CompiledFeature[] = Object.entries(rs.features)
    .filter(([name]) => used.has(name))
    .map(([name, spec]) => ({ name, spec, bucketMs: Math.max(1, Math.ceil(spec.windowMs / spec.buckets)) }));
  const types: EventType[] = ['campaign.published', 'merchant.registered', 'eligibility.granted', 'price.observed', 'claim', 'redemption', 'refund'];
  const rulesFor = new Map<EventType, CompiledRule[]>();
  const featuresFor = new Map<EventType, CompiledFeature[]>();
  for (const t of types) {
    rulesFor.set(t, rules.filter((r) => r.def.appliesTo.includes(t)));
    featuresFor.set(t, features.filter((f) => (f.spec.on as string[]).includes(t)));
  }
  return {
    version: rs.version,
    source: rs,
    rules,
    features,
    rulesFor,
    featuresFor,
    runners: new Map(),
    thresholds: rs.thresholds,
    ruleErrors: rs.ruleErrors,
    flags: rs.flags,
    flagPriority: rs.flagPriority,
    fraudTypeOf: new Map(rules.map((r) => [r.def.reason, r.def.fraudType])),
  };
}

export function outcomeForScore(score: number, t: CompiledRuleset['thresholds']): Outcome {
  if (score >= t.block) return 'block';
  if (score >= t.intercept) return 'intercept';
  if (score >= t.review) return 'review';
  return 'allow';
}
