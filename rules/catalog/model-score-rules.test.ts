import { describe, expect, it } from 'vitest';
import type { QuanguardEvent } from '../../core/events.ts';
import { compileRuleset } from '../engine/compile.ts';
import { memoryEngine } from '../engine/engine.ts';
import { factsOf } from '../engine/evaluate.ts';
import { Reference } from '../reference/state.ts';
import type { ModelScoreSnapshot } from '../reference/model-scores.ts';
import { createRegistry } from '../registry.ts';
import { readRuleset } from '../ruleset/load.ts';
import { at, campaign, claim, DROP, merchant, redemption } from '../testing/events.ts';
import type { RuleDefinition } from '../types.ts';
import modelRingMember from './bot_claiming/model-ring-member.ts';
import merchantModelRisk from './cash_out/merchant-model-risk.ts';

const RUN_AT = DROP + 3 * 86_400_000;

function snapshot(over: Partial<ModelScoreSnapshot> = {}): ModelScoreSnapshot {
  return {
    atMs: RUN_AT,
    modelVersion: 'merchant-risk@2 rings@3',
    merchants: new Map([
      ['mch_t', { risk: 0.9, shares: { cash_out: 0.8, subsidy_fraud: 0.1 } }],
      ['mch_ok', { risk: 0.05, shares: { cash_out: 0.05 } }],
    ]),
    rings: new Map([['usr_bot', [{ ringId: 'ring_1', fraudType: 'bot_claiming' as const, score: 0.82 }]]]),
    ...over,
  };
}

function evaluateWith<C>(rule: RuleDefinition<C>, config: C, event: QuanguardEvent, snap?: ModelScoreSnapshot) {
  const ref = new Reference();
  for (const e of [campaign(), merchant(), merchant({ merchantId: 'mch_ok' })]) ref.observe(e, Date.parse(e.occurredAt));
  if (snap) ref.modelScores.publish(snap);
  const t = Date.parse(event.occurredAt);
  return rule.evaluate(event, {}, rule.configSchema.parse(config), { facts: factsOf(event, t, ref), reference: ref });
}

describe('cash_out.merchant_model_risk', () => {
  const after = at(RUN_AT + 3_600_000);
  it.each([
    ['CASH_OUT.MERCHANT_MODEL_RISK when the forest votes cash-out for the shop', 'mch_t', after, snapshot(), 'hit', 0.8],
    ['no hit for a shop the forest votes legitimate', 'mch_ok', after, snapshot(), 'no_hit', 0.05],
    ['no hit, nothing measured, for a shop the last run did not score', 'mch_new', after, snapshot(), 'no_hit', null],
    ['no hit, nothing measured, before any model run', 'mch_t', after, undefined, 'no_hit', null],
    ['no hit, nothing measured, for an event older than the run (a score never reads the future)', 'mch_t', at(RUN_AT - 60_000), snapshot(), 'no_hit', null],
  ])('%s', (_n, merchantId, occurredAt, snap, outcome, observed) => {
    expect(evaluateWith(merchantModelRisk, { minShare: 0.6 }, redemption({ merchantId, occurredAt }), snap)).toMatchObject({ outcome, observed });
  });
});

describe('bot_claiming.model_ring_member', () => {
  const after = at(RUN_AT + 60_000);
  it.each([
    ['BOT.MODEL_RING_MEMBER for a claim by an account of a flagged farm', 'usr_bot', 0.7, 'hit', 0.82],
    ['no hit below the configured ring score', 'usr_bot', 0.9, 'no_hit', 0.82],
    ['no hit, nothing measured, for an account in no ring', 'usr_someone', 0.7, 'no_hit', null],
  ])('%s', (_n, userId, minScore, outcome, observed) => {
    expect(evaluateWith(modelRingMember, { minScore }, claim({ userId, occurredAt: after }), snapshot())).toMatchObject({ outcome, observed });
  });

  it('reads only rings of its own fraud type', () => {
    const snap = snapshot({ rings: new Map([['usr_bot', [{ ringId: 'ring_2', fraudType: 'subsidy_fraud' as const, score: 0.9 }]]]) });
    expect(evaluateWith(modelRingMember, { minScore: 0.5 }, claim({ userId: 'usr_bot', occurredAt: after }), snap)).toMatchObject({ outcome: 'no_hit', observed: null });
  });
});

describe('model scores in the engine', () => {
  it('a published model run raises the decision of the next claim by a farm account', async () => {
    const base = readRuleset('v1') as { rules: object[] };
    const rs = compileRuleset({ ...base, version: 'test-model', rules: [...base.rules, { id: 'bot_claiming.model_ring_member', version: 1, weight: 100, config: { minScore: 0.6 } }] }, createRegistry());
    const engine = memoryEngine(rs);
    await engine.process(campaign());
    const ordinary = { deviceId: 'dev_ok', ip: '180.111.2.3', lat: 34.6, lon: 119.2, userAgent: 'Mozilla/5.0 (iPhone) AlipayClient/10.6.10' };
    const before = await engine.decide(claim({ userId: 'usr_bot', occurredAt: at(RUN_AT + 60_000), ...ordinary }));
    expect(before.reasons).not.toContain('BOT.MODEL_RING_MEMBER');
    engine.reference.modelScores.publish(snapshot());
    const after = await engine.decide(claim({ userId: 'usr_bot', couponTypeId: 'cpt_nt_20', occurredAt: at(RUN_AT + 120_000), ...ordinary }));
    expect(after.reasons).toContain('BOT.MODEL_RING_MEMBER');
    expect(after.decision).not.toBe('allow');
  });
});
