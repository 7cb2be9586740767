// Flag policy: strong events in count and share, and the support path (one strong event plus
// smaller ones of the same kind), on hand-made rule runs of rule set v2's hoarding rules.
import { describe, expect, it } from 'vitest';
import type { RuleRun } from './engine/evaluate.ts';
import { FlagAggregator } from './flags.ts';
import { loadRuleset } from './ruleset/load.ts';
import { redemption } from './testing/events.ts';

const rs = loadRuleset('v2');
const rule = (id: string) => rs.rules.find((r) => r.def.id === id)!;
const big = rule('hoarding.resellable_quantity');
const some = rule('hoarding.resellable_some');

/** One redemption of usr_h carrying `units` resellable units (the two hoarding rules' verdicts). */
function order(units: number): RuleRun[] {
  return [
    { rule: big, outcome: units >= 3 ? 'hit' : 'no_hit', observed: units, reason: units >= 3 ? 'HOARDING.RESELLABLE_QTY' : undefined },
    { rule: some, outcome: units >= 2 ? 'hit' : 'no_hit', observed: units, reason: units >= 2 ? 'HOARDING.RESELLABLE_SOME' : undefined },
  ];
}

function hoardingFlag(orders: number[]) {
  const agg = new FlagAggregator(rs);
  for (const units of orders) agg.add(redemption({ userId: 'usr_h' }), order(units));
  return agg.flags().find((f) => f.entityId === 'usr_h' && f.fraudType === 'hoarding');
}

describe('flag policy', () => {
  it('flags two big resellable orders (strong events)', () => {
    expect(hoardingFlag([6, 8, 0, 0])).toMatchObject({ fraudType: 'hoarding', reasons: expect.arrayContaining(['HOARDING.RESELLABLE_QTY']) });
  });
  it('flags one big order supported by a smaller one of the same kind', () => {
    expect(hoardingFlag([3, 2, 0, 0, 0])).toMatchObject({ reasons: ['HOARDING.RESELLABLE_SOME', 'HOARDING.RESELLABLE_QTY'] });
  });
  it('does not flag small orders alone: two gift bottles twice is no strong event', () => {
    expect(hoardingFlag([2, 2, 0])).toBeUndefined();
  });
  it('does not flag one big order among many ordinary ones (share too low)', () => {
    expect(hoardingFlag([3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBeUndefined();
  });
});
