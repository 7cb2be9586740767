import { describe, expect, it } from 'vitest';
import type { RiskDecision } from '../../core/decision.ts';
import { OUTCOMES } from '../../core/decision.ts';
import { Rng } from '../../core/rng.ts';
import { RecentDecisions } from './recent.ts';

function decision(rng: Rng, eventId: string, n: number): RiskDecision {
  const reasons = rng.bool(0.3) ? ['CASH_OUT.THRESHOLD_HUGGING', `R${n % 7}`] : [];
  return { decisionId: `dec_${n}`, eventId, decision: OUTCOMES[rng.int(0, 3)]!, score: rng.int(0, 100) / 4, reasons, rulesetVersion: n % 2 ? 'v1' : 'v2' };
}

/** The Map the engine used before, as the model: same answers for every id, after every step. */
function compare(capacity: number, steps: number, ids: number, seed: number): void {
  const rng = new Rng(seed);
  const recent = new RecentDecisions(capacity);
  const model = new Map<string, RiskDecision>();
  for (let n = 0; n < steps; n++) {
    const eventId = `evt_${rng.int(0, ids - 1).toString(36)}`;
    expect(recent.get(eventId)).toEqual(model.get(eventId));
    const d = decision(rng, eventId, n);
    recent.add(d);
    model.set(eventId, d);
    if (model.size > capacity) model.delete(model.keys().next().value!);
    expect(recent.size).toBe(model.size);
  }
  for (let i = 0; i < ids; i++) expect(recent.get(`evt_${i.toString(36)}`)).toEqual(model.get(`evt_${i.toString(36)}`));
}

describe('RecentDecisions answers as a Map of the last decisions by event id did', () => {
  it('while it grows, with repeated ids taking the first one\'s place', () => compare(100_000, 5_000, 3_000, 1));
  it('once full, forgetting the oldest first (eviction moves probe runs back)', () => compare(700, 20_000, 2_000, 2));
  it('with a capacity of one', () => compare(1, 500, 20, 3));
  it('holds nothing at capacity 0', () => {
    const recent = new RecentDecisions(0);
    recent.add(decision(new Rng(4), 'evt_a', 0));
    expect(recent.get('evt_a')).toBeUndefined();
  });
  it('gives back an equal decision, not one that shares a reasons array with later answers', () => {
    const recent = new RecentDecisions(10);
    recent.add({ decisionId: 'dec_1', eventId: 'evt_1', decision: 'allow', score: 0, reasons: [], rulesetVersion: 'v2' });
    const a = recent.get('evt_1')!;
    a.reasons.push('X');
    expect(recent.get('evt_1')!.reasons).toEqual([]);
  });
});
