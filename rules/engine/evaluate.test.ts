import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { strongestOutcome } from '../../core/decision.ts';
import { Rng } from '../../core/rng.ts';
import type { ListEntry } from '../lists/types.ts';
import { Reference } from '../reference/state.ts';
import { createRegistry } from '../registry.ts';
import { readRuleset } from '../ruleset/load.ts';
import { claim } from '../testing/events.ts';
import { defineRule, hit, noHit, SKIPPED, type RuleContext, type RuleResult } from '../types.ts';
import { compileRuleset, outcomeForScore, type CompiledRuleset } from './compile.ts';
import { factsOf, runRules } from './evaluate.ts';

// Rules whose behaviour the feature record picks: b<k> = 0 no hit, 1 hit with its own reason,
// 2 hit without one, 3 a returned error, 4 a thrown Error, 5 a thrown string, 6 skipped.
const K = 7;
const rules = Array.from({ length: K }, (_, k) =>
  defineRule({
    id: `test.r${k}`, version: 1, fraudType: 'bot_claiming', reason: `TEST.R${k}`, appliesTo: ['claim'], subject: 'user',
    configSchema: z.object({}), features: () => [],
    evaluate(_e, f): RuleResult {
      switch (f[`b${k}`]) {
        case 1: return hit(`TEST.R${k}.OWN`, k + 0.5);
        case 2: return { outcome: 'hit', observed: k };
        case 3: return { outcome: 'error', observed: null };
        case 4: throw new Error(`boom ${k}`);
        case 5: throw `string ${k}`;
        case 6: return SKIPPED;
        default: return noHit(k);
      }
    },
  }),
);

/** What runRules answered before it was compiled per event type: a loop over the rules. */
function loop(rs: CompiledRuleset, f: Record<string, number>, campaignId: string, lists: readonly ListEntry[]) {
  const runs: object[] = [], reasons: string[] = [];
  let score = 0, errors = 0;
  for (const rule of rs.rulesFor.get('claim')!) {
    let r: RuleResult, error: string | undefined;
    try {
      r = rule.def.evaluate(claim(), f, rule.config, {} as RuleContext);
    } catch (err) {
      r = { outcome: 'error', observed: null };
      error = String((err as Error)?.message ?? err).slice(0, 200);
    }
    if (r.outcome === 'error') errors++;
    if (r.outcome === 'hit' && lists.some((l) => l.kind === 'snooze' && (l.ruleId === undefined || l.ruleId === rule.def.id))) {
      runs.push({ rule: rule.key, outcome: 'snoozed', observed: r.observed, reason: r.reason, error });
      continue;
    }
    runs.push({ rule: rule.key, outcome: r.outcome, observed: r.observed, reason: r.reason, error });
    if (r.outcome === 'hit') {
      score += rule.weight;
      reasons.push(r.reason ?? rule.def.reason);
    }
  }
  score = Math.min(100, score);
  let decision = outcomeForScore(score, rs.thresholds);
  if (errors > 0 && (rs.ruleErrors.campaigns[campaignId] ?? rs.ruleErrors.default) === 'closed') {
    decision = strongestOutcome(decision, rs.ruleErrors.closedOutcome);
    reasons.push('ENGINE.RULE_ERROR');
  }
  if (lists.some((l) => l.kind === 'block')) return { decision: 'block', score, reasons: ['LIST.BLOCKED', ...reasons], runs };
  if (lists.some((l) => l.kind === 'allow')) return { decision: 'allow', score, reasons: ['LIST.ALLOWED', ...reasons], runs };
  return { decision, score, reasons, runs };
}

describe('runRules, compiled per rule set and event type', () => {
  it('answers as a loop over the rules: errors thrown or returned, snoozes, weights, the cap, fail open or closed, lists', () => {
    const rng = new Rng(5);
    const base = readRuleset('v1') as object;
    const ref = new Reference();
    let checked = 0, thrown = 0, closed = 0, snoozedRuns = 0, manyHits = 0;
    for (let set = 0; set < 40; set++) {
      const review = rng.int(0, 40), intercept = review + rng.int(0, 30), block = intercept + rng.int(0, 40);
      const rs = compileRuleset(
        {
          ...base,
          version: `t${set}`,
          // A random subset of the rules, each with a random weight.
          rules: rules.filter(() => rng.bool(0.8)).map((r) => ({ id: r.id, version: 1, weight: rng.int(0, 60), config: {} })),
          thresholds: { review, intercept, block },
          ruleErrors: { default: rng.bool(0.5) ? 'open' : 'closed', campaigns: { cmp_open: 'open', cmp_closed: 'closed' }, closedOutcome: (['review', 'intercept', 'block'] as const)[rng.int(0, 2)] },
        },
        createRegistry(rules),
      );
      for (let i = 0; i < 60; i++) {
        const f: Record<string, number> = {};
        for (let k = 0; k < K; k++) f[`b${k}`] = rng.bool(0.5) ? 0 : rng.int(0, 6);
        const campaignId = ['cmp_open', 'cmp_closed', 'cmp_other'][rng.int(0, 2)]!;
        const entry = (kind: ListEntry['kind'], ruleId?: string): ListEntry => ({ kind, entityType: 'user', entityId: 'usr_t', ruleId, expiresAt: null, by: 't', reason: 't', createdAt: 0 });
        const lists: ListEntry[] = [];
        if (rng.bool(0.3)) lists.push(entry('snooze', rng.bool(0.7) ? `test.r${rng.int(0, K - 1)}` : undefined));
        if (rng.bool(0.1)) lists.push(entry('allow'));
        if (rng.bool(0.1)) lists.push(entry('block'));
        const e = claim({ campaignId });
        const ctx = { facts: factsOf(e, Date.parse(e.occurredAt), ref), reference: ref };
        const got = runRules(rs, e, f, ctx, lists);
        const want = loop(rs, f, campaignId, lists);
        const runs = got.runs.map((r) => ({ rule: r.rule.key, outcome: r.outcome, observed: r.observed, reason: r.reason, error: r.error }));
        expect({ decision: got.decision, score: got.score, reasons: got.reasons, runs }).toEqual(want);
        expect(got.rulesetVersion).toBe(`t${set}`);
        expect(got.features).toBe(f);
        checked++;
        if (runs.some((r) => r.error !== undefined)) thrown++;
        if (want.reasons.includes('ENGINE.RULE_ERROR')) closed++;
        if (runs.some((r) => r.outcome === 'snoozed')) snoozedRuns++;
        if (runs.filter((r) => r.outcome === 'hit').length >= 3) manyHits++;
      }
    }
    // The random cases reach every path.
    expect({ checked, thrown: thrown > 100, closed: closed > 100, snoozedRuns: snoozedRuns > 50, manyHits: manyHits > 50 }).toEqual({ checked: 2400, thrown: true, closed: true, snoozedRuns: true, manyHits: true });
  });
});
