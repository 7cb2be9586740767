import { describe, expect, it } from 'vitest';
import type { RiskDecision } from '../../core/decision.ts';
import { OUTCOMES } from '../../core/decision.ts';
import { Rng } from '../../core/rng.ts';
import { RecentDecisions } from './recent.ts';

// Reasons: none, a few common lists, or (past the table of shared lists) one of their own.
function reasonsFor(rng: Rng, n: number): string[] {
  const r = rng.next();
  if (r < 0.5) return [];
  if (r < 0.8) return ['CASH_OUT.THRESHOLD_HUGGING', `R${n % 7}`].slice(0, 1 + (n % 2));
  return [`BOT.R${n}`, 'CASH_OUT.LATE_HOUR'];
}

// Ids of every shape an id column keeps: short, longer than a slot, not Latin-1.
function idOf(kind: string, n: number): string {
  if (n % 11 === 0) return `${kind}_${'x'.repeat(40)}${n.toString(36)}`;
  if (n % 13 === 0) return `${kind}_用户${n.toString(36)}`;
  return `${kind}_${n.toString(36)}`;
}

function decision(rng: Rng, eventId: string, n: number): RiskDecision {
  return { decisionId: idOf('dec', n), eventId, decision: OUTCOMES[rng.int(0, 3)]!, score: rng.int(0, 100) / 4, reasons: reasonsFor(rng, n), rulesetVersion: n % 3 ? 'v1' : 'v2' };
}

/** The Map the engine used before, as the model: same answers for every id, after every step. */
function compare(capacity: number, steps: number, ids: number, seed: number): void {
  const rng = new Rng(seed);
  const recent = new RecentDecisions(capacity);
  const model = new Map<string, RiskDecision>();
  for (let n = 0; n < steps; n++) {
    const eventId = idOf('evt', rng.int(0, ids - 1));
    expect(recent.get(eventId)).toEqual(model.get(eventId));
    const d = decision(rng, eventId, n);
    recent.add(d);
    model.set(eventId, d);
    if (model.size > capacity) model.delete(model.keys().next().value!);
    expect(recent.size).toBe(model.size);
  }
  for (let i = 0; i < ids; i++) expect(recent.get(idOf('evt', i))).toEqual(model.get(idOf('evt', i)));
}

describe('RecentDecisions answers as a Map of the last decisions by event id did', () => {
  it('while it grows, with repeated ids taking the first one\'s place', () => compare(100_000, 5_000, 3_000, 1));
  it('past the table of shared reason lists', () => compare(100_000, 30_000, 20_000, 5));
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
