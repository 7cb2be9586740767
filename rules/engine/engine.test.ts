import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryListStore } from '../lists/memory.ts';
import { createRegistry, RULES } from '../registry.ts';
import { loadRuleset, readRuleset } from '../ruleset/load.ts';
import { MemoryDecisionSink } from '../sink/types.ts';
import { campaign, claim, DROP, at } from '../testing/events.ts';
import { defineRule, hit } from '../types.ts';
import { compileRuleset } from './compile.ts';
import { memoryEngine } from './engine.ts';

const v1 = readRuleset('v1') as { rules: { id: string; version: number; weight: number; config: unknown }[] };
const botClaim = (i: number, over = {}) => claim({ userId: `usr_${i}`, deviceId: 'dev_farm', ip: `47.104.3.${i}`, userAgent: 'okhttp/4.9.3', occurredAt: at(DROP + 40), ...over });

const exploding = defineRule({
  id: 'test.explodes', version: 1, fraudType: 'bot_claiming', reason: 'TEST.EXPLODES', appliesTo: ['claim'], subject: 'user',
  configSchema: z.object({}), features: () => [],
  evaluate() {
    throw new Error('boom');
  },
});
const always = defineRule({
  id: 'test.always', version: 1, fraudType: 'bot_claiming', reason: 'TEST.ALWAYS', appliesTo: ['claim'], subject: 'user',
  configSchema: z.object({}), features: () => [], evaluate: () => hit('TEST.ALWAYS', 1),
});
function withRules(extra: object[], over: object = {}) {
  return { ...readRuleset('v1') as object, version: 'test', rules: [...v1.rules, ...extra], ...over };
}

describe('compileRuleset', () => {
  it('refuses a rule set naming a rule the build does not have', () => {
    expect(() => compileRuleset(withRules([{ id: 'bot.teleport', version: 1, weight: 1, config: {} }]), createRegistry())).toThrow(/bot\.teleport.*does not have/);
  });
  it('refuses a rule at another version than the build', () => {
    const rules = v1.rules.map((r) => (r.id === 'bot.claim_latency' ? { ...r, version: 2 } : r));
    expect(() => compileRuleset({ ...(readRuleset('v1') as object), rules }, createRegistry())).toThrow(/bot\.claim_latency@2 but this build has bot\.claim_latency@1/);
  });
  it('refuses a config its rule schema rejects, naming the field', () => {
    const rules = v1.rules.map((r) => (r.id === 'bot.claim_latency' ? { ...r, config: { maxLatencyMs: -5 } } : r));
    expect(() => compileRuleset({ ...(readRuleset('v1') as object), rules }, createRegistry())).toThrow(/config of bot\.claim_latency .* maxLatencyMs/);
  });
  it('refuses a rule reading a feature the rule set does not define', () => {
    const rules = v1.rules.map((r) => (r.id === 'bot.claim_burst' ? { ...r, config: { feature: 'user.claims.5s', atLeast: 3 } } : r));
    expect(() => compileRuleset({ ...(readRuleset('v1') as object), rules }, createRegistry())).toThrow(/user\.claims\.5s/);
  });
});

describe('RulesEngine', () => {
  it('blocks an obvious farm claim with readable reasons and the rule-set version', async () => {
    const engine = memoryEngine(loadRuleset('v1'));
    await engine.process(campaign());
    for (let i = 0; i < 3; i++) await engine.decide(botClaim(i));
    const d = await engine.decide(botClaim(3));
    expect(d.decision).toBe('block');
    expect(d.reasons).toEqual(expect.arrayContaining(['BOT.CLAIM_LATENCY', 'BOT.AUTOMATION_UA', 'BOT.HOSTING_IP', 'BOT.DEVICE_SHARED']));
    expect(d.rulesetVersion).toBe('v1');
    expect(d.decisionId).toMatch(/^dec_/);
  });

  it('allows an ordinary claim', async () => {
    const engine = memoryEngine(loadRuleset('v1'));
    await engine.process(campaign());
    const d = await engine.decide(claim({ userId: 'usr_ok', deviceId: 'dev_ok', ip: '180.111.2.3', occurredAt: at(DROP + 25 * 60_000), lat: 34.6, lon: 119.2, userAgent: 'Mozilla/5.0 (iPhone) AlipayClient/10.6.10' }));
    expect(d).toMatchObject({ decision: 'allow', score: 0, reasons: [] });
  });

  it('answers a redelivered event with the same decision and does not count it twice', async () => {
    const engine = memoryEngine(loadRuleset('v1'));
    await engine.process(campaign());
    const e = claim({ userId: 'usr_a', deviceId: 'dev_1', occurredAt: at(DROP + 3_600_000) });
    const first = await engine.decide(e);
    const second = await engine.decide({ ...e });
    expect(second).toEqual(first);
  });

  it('records a throwing rule as error, adds nothing and completes the decision (fail open)', async () => {
    const reg = createRegistry([...RULES, exploding]);
    const sink = new MemoryDecisionSink();
    const engine = memoryEngine(compileRuleset(withRules([{ id: 'test.explodes', version: 1, weight: 50, config: {} }]), reg), { sink });
    await engine.process(campaign());
    const d = await engine.decide(claim({ occurredAt: at(DROP + 3_600_000) }));
    expect(d.decision).toBe('allow');
    const rec = sink.records[0]!;
    expect(rec.explanation.find((x) => x.rule === 'test.explodes@1')).toMatchObject({ outcome: 'error', observed: null, error: 'boom' });
  });

  it('fails closed for a campaign that says so', async () => {
    const reg = createRegistry([...RULES, exploding]);
    const rs = compileRuleset(withRules([{ id: 'test.explodes', version: 1, weight: 50, config: {} }], { ruleErrors: { default: 'open', campaigns: { cmp_t: 'closed' }, closedOutcome: 'intercept' } }), reg);
    const engine = memoryEngine(rs);
    await engine.process(campaign());
    const d = await engine.decide(claim({ occurredAt: at(DROP + 3_600_000) }));
    expect(d.decision).toBe('intercept');
    expect(d.reasons).toContain('ENGINE.RULE_ERROR');
  });

  it('puts the block list above the allow list, and the allow list above the rules', async () => {
    const lists = new MemoryListStore();
    const reg = createRegistry([...RULES, always]);
    const rs = compileRuleset(withRules([{ id: 'test.always', version: 1, weight: 100, config: {} }]), reg);
    const engine = memoryEngine(rs, { lists });
    await engine.process(campaign());
    const base = { expiresAt: null, by: 'analyst:wang', reason: 'ticket 42', createdAt: DROP };
    await lists.add({ ...base, kind: 'allow', entityType: 'user', entityId: 'usr_vip' });
    expect((await engine.decide(claim({ userId: 'usr_vip' }))).decision).toBe('allow');
    await lists.add({ ...base, kind: 'block', entityType: 'device', entityId: 'dev_bad' });
    const d = await engine.decide(claim({ userId: 'usr_vip', deviceId: 'dev_bad' }));
    expect(d.decision).toBe('block');
    expect(d.reasons[0]).toBe('LIST.BLOCKED');
  });

  it('records a snoozed rule as snoozed and adds nothing for that entity', async () => {
    const lists = new MemoryListStore();
    const sink = new MemoryDecisionSink();
    const engine = memoryEngine(loadRuleset('v1'), { lists, sink });
    await engine.process(campaign());
    await lists.add({ kind: 'snooze', entityType: 'user', entityId: 'usr_keen', ruleId: 'bot.claim_latency', expiresAt: DROP + 86_400_000, by: 'analyst:li', reason: 'verified keen user', createdAt: DROP });
    const d = await engine.decide(claim({ userId: 'usr_keen', occurredAt: at(DROP + 500) }));
    expect(d.reasons).not.toContain('BOT.CLAIM_LATENCY');
    expect(sink.records[0]!.explanation.find((x) => x.rule === 'bot.claim_latency@1')?.outcome).toBe('snoozed');
  });

  it('runs a candidate rule set in shadow and stores its decisions apart', async () => {
    const sink = new MemoryDecisionSink();
    const candidate = compileRuleset({ ...(readRuleset('v1') as object), version: 'v1-strict', thresholds: { review: 5, intercept: 10, block: 20 } }, createRegistry());
    const engine = memoryEngine(loadRuleset('v1'), { sink, shadowRuleset: candidate });
    await engine.process(campaign());
    const d = await engine.decide(claim({ occurredAt: at(DROP + 500) }));
    expect(d.rulesetVersion).toBe('v1');
    const live = sink.records.filter((r) => !r.shadow), shadow = sink.records.filter((r) => r.shadow);
    expect(live).toHaveLength(1);
    expect(shadow).toHaveLength(1);
    expect(shadow[0]).toMatchObject({ rulesetVersion: 'v1-strict', eventId: d.eventId, decision: 'block' });
    expect(live[0]!.decision).toBe('allow');
    expect(shadow[0]!.decisionId).not.toBe(live[0]!.decisionId);
  });
});
