import { describe, expect, it } from 'vitest';
import { claim } from '../testing/events.ts';
import { RULES } from '../registry.ts';
import { Reference } from '../reference/state.ts';
import { factsOf } from '../engine/evaluate.ts';
import accountsPerDevice from './bot_claiming/accounts-per-device.ts';

// The engine runs the evaluate that `specialize` makes (the feature name compiled in); rule
// tests call `evaluate`. Both must answer alike for every rule of the shape.
describe('featureAtLeastRule specialize', () => {
  const e = claim();
  const ctx = { facts: factsOf(e, Date.parse(e.occurredAt), new Reference()), reference: new Reference() };
  const shaped = RULES.filter((r) => r.specialize !== undefined);

  it('covers the rules made by featureAtLeastRule', () => {
    expect(shaped).toContain(accountsPerDevice);
    expect(shaped.length).toBeGreaterThanOrEqual(12);
  });

  const values = [undefined, NaN, 0, -0, 1, 2, 2.5, 3, 7, 1023, 1024, 1e9, Infinity];
  it.each(shaped.map((r) => [r.id, r] as const))('%s: the specialized evaluate answers as evaluate', (_id, rule) => {
    const config = rule.configSchema.parse({ feature: 'x.users.30d', atLeast: 3 });
    const own = rule.specialize!(config);
    for (const v of values) {
      // Other features in the record must not be read: the specialized one has its name built in.
      const f: Record<string, number> = { 'y.users.30d': 99 };
      if (v !== undefined) f['x.users.30d'] = v;
      const want = rule.evaluate(e, f, config, ctx);
      const got = own(e, f, config, ctx);
      expect(got).toEqual(want);
      expect(Object.is(got.observed, want.observed)).toBe(true);
    }
    expect(own(e, { 'x.users.30d': 3 }, config, ctx)).toEqual({ outcome: 'hit', observed: 3, reason: rule.reason });
  });
});
