import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run as runEval } from '../cli/eval.ts';
import { evaluate, formatReport } from './evaluate.ts';

const labels = JSON.parse(readFileSync(new URL('../fixtures/eval-tiny/labels.json', import.meta.url), 'utf8'));
const flags = JSON.parse(readFileSync(new URL('../fixtures/eval-tiny/flags.json', import.meta.url), 'utf8'));

// The tiny case by hand (fixtures/eval-tiny):
//   labelled users  u1 u2 bot, u3 cash_out, u4 u5 subsidy; merchants m1 cash_out, m2 price_gouging.
//   population 10 users / 4 merchants; background usr_bg_1 usr_bg_2 / mch_bg_9.
//   → simulated legitimate: users u6 u7 u8 (10 - 5 fraud - 2 bg = 3), merchant m3 (4 - 2 - 1 = 1).
//   flags: u1 bot (twice, counts once), u6 bot, ring{u4,u5,m3} subsidy, m1 price_gouging (wrong type),
//          usr_bg_1 hoarding, m2 price_gouging, devices dev_a (labelled) and dev_z (not).
//   bot:      flagged {u1,u6}, labelled {u1,u2}       TP1 FP1 FN1  P 1/2  R 1/2  F1 1/2
//   cash_out: flagged {},      labelled {u3,m1}       TP0 FP0 FN2  P —    R 0    F1 —
//   hoarding: flagged {bg_1},  labelled {}            TP0 FP1 FN0  P 0    R —    F1 —
//   subsidy:  flagged {u4,u5,m3}, labelled {u4,u5}    TP2 FP1 FN0  P 2/3  R 1    F1 4/5
//   gouging:  flagged {m1,m2}, labelled {m2}          TP1 FP1 FN0  P 1/2  R 1    F1 2/3
//   micro:    TP4 FP4 FN3  P 1/2  R 4/7  F1 8/15
//   any:      flagged 8 entities, 5 fraudulent (u1 u4 u5 m1 m2): TP5 FP3 FN2  P 5/8  R 5/7  F1 2/3
//   macro F1 over the 4 labelled types: (1/2 + 0 + 4/5 + 2/3) / 4 = 59/120
//   FPR simulated: {u6, m3} / 4 = 1/2; background: {usr_bg_1} / 3 = 1/3; wrong type only: m1.
describe('evaluate on the hand-made tiny case', () => {
  const r = evaluate(labels, flags);
  const row = (t: string) => r.rows.find((x) => x.fraudType === t)!;

  it('scores each fraud type as computed by hand', () => {
    expect(row('bot_claiming')).toMatchObject({ labelled: 2, flagged: 2, tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(row('cash_out')).toMatchObject({ labelled: 2, flagged: 0, tp: 0, fp: 0, fn: 2, precision: null, recall: 0, f1: null });
    expect(row('hoarding')).toMatchObject({ labelled: 0, flagged: 1, tp: 0, fp: 1, fn: 0, precision: 0, recall: null, f1: null });
    expect(row('subsidy_fraud')).toMatchObject({ tp: 2, fp: 1, fn: 0, recall: 1 });
    expect(row('subsidy_fraud').precision).toBeCloseTo(2 / 3, 10);
    expect(row('subsidy_fraud').f1).toBeCloseTo(0.8, 10);
    expect(row('price_gouging')).toMatchObject({ tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1 });
    expect(row('price_gouging').f1).toBeCloseTo(2 / 3, 10);
  });

  it('counts a wrong-type flag as a false positive and the entity as missed, and gives micro, any-fraud and macro rows', () => {
    expect(row('micro')).toMatchObject({ labelled: 7, tp: 4, fp: 4, fn: 3, precision: 0.5 });
    expect(row('micro').recall).toBeCloseTo(4 / 7, 10);
    expect(row('micro').f1).toBeCloseTo(8 / 15, 10);
    expect(row('any_fraud')).toMatchObject({ labelled: 7, flagged: 8, tp: 5, fp: 3, fn: 2, precision: 5 / 8 });
    expect(row('any_fraud').recall).toBeCloseTo(5 / 7, 10);
    expect(row('any_fraud').f1).toBeCloseTo(2 / 3, 10);
    expect(r.macroF1).toBeCloseTo(59 / 120, 10);
    expect(r.wrongTypeOnly).toBe(1);
  });

  it('reports false-positive rates for simulated and background legitimate entities separately', () => {
    expect(r.falsePositiveRate.simulated).toMatchObject({ flagged: 2, total: 4, rate: 0.5, users: { flagged: 1, total: 3 }, merchants: { flagged: 1, total: 1 } });
    expect(r.falsePositiveRate.background).toMatchObject({ flagged: 1, total: 3, users: { flagged: 1, total: 2 }, merchants: { flagged: 0, total: 1 } });
    expect(r.falsePositiveRate.background.rate).toBeCloseTo(1 / 3, 10);
  });

  it('scores device flags apart and reports recall per variant', () => {
    expect(r.devices).toMatchObject({ labelled: 2, tp: 1, fp: 1, precision: 0.5, recall: 0.5 });
    expect(r.byVariant).toContainEqual({ fraudType: 'bot_claiming', variant: 'subtle', labelled: 1, caught: 0, recall: 0 });
    expect(r.byVariant).toContainEqual({ fraudType: 'subsidy_fraud', variant: 'blatant', labelled: 2, caught: 2, recall: 1 });
    expect(r.flags).toEqual({ total: 9, ring: 1, device: 2, entitiesFlagged: 8 });
    expect(formatReport(r)).toMatch(/subsidy_fraud\s+2\s+3\s+2\s+1\s+0\s+66\.7%\s+100\.0%\s+80\.0%/);
  });

  it('scores device members of a ring as devices, not as users', () => {
    const ring = { entityType: 'ring', entityId: 'ring_2', fraudType: 'bot_claiming', score: 0.9, reasons: ['BOT.FARM'], members: ['usr_u2', 'dev_b'] };
    const r2 = evaluate(labels, { flags: [...flags.flags, ring] });
    // u2 is now caught: bot TP 2 of 2; dev_b is labelled subsidy_fraud, so flagging it bot is a device FP.
    expect(r2.rows.find((x) => x.fraudType === 'bot_claiming')).toMatchObject({ tp: 2, fp: 1, fn: 0 });
    expect(r2.devices).toMatchObject({ tp: 1, fp: 2 });
    expect(r2.falsePositiveRate.simulated.flagged).toBe(2);
  });

  it('names the field of a bad flags file', () => {
    expect(() => evaluate(labels, { flags: [{ entityType: 'user', entityId: 'u', fraudType: 'theft', score: 1, reasons: [] }] })).toThrow(/flags\.flags\.0\.fraudType must be one of/);
    expect(() => evaluate({ users: {} }, flags)).toThrow(/labels\.merchants/);
  });

  it('runs as `quanguard eval` and writes the JSON report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qg-eval-'));
    try {
      const out = join(dir, 'eval.json');
      const code = await runEval(['--labels', new URL('../fixtures/eval-tiny/labels.json', import.meta.url).pathname, '--flags', new URL('../fixtures/eval-tiny/flags.json', import.meta.url).pathname, '--out', out]);
      expect(code).toBe(0);
      const written = JSON.parse(readFileSync(out, 'utf8'));
      expect(written.rows.find((x: { fraudType: string }) => x.fraudType === 'any_fraud').tp).toBe(5);
      expect(await runEval(['--labels', join(dir, 'missing.json'), '--flags', out])).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
