import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { memoryEngine } from '../rules/engine/engine.ts';
import { HttpRiskDecider } from '../rules/http-decider.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { at, campaign, claim, DROP, merchant, redemption } from '../rules/testing/events.ts';
import { createApp } from './app.ts';
import { serve, type Served } from './testing/serve.ts';
import { decisionRoutes } from './decision-routes.ts';

const TOKEN = 'issuance-token-0123456789';
let served: Served;
let base: string;

beforeAll(async () => {
  const engine = memoryEngine(loadRuleset('v1'));
  await engine.process(campaign());
  await engine.process(merchant());
  const app = createApp({ modules: [decisionRoutes({ decider: engine, token: TOKEN })], logger: silentLogger });
  served = await serve(app);
  base = served.base;
});
afterAll(async () => {
  await served.close();
});

describe('decision API', () => {
  it('answers a claim over HTTP through the RiskDecider client', async () => {
    const decider = new HttpRiskDecider({ baseUrl: base, token: TOKEN });
    const d = await decider.decide(claim({ userId: 'usr_bot', userAgent: 'python-requests/2.31.0', ip: '47.104.1.2', occurredAt: at(DROP + 30) }));
    expect(d.decision).toBe('block');
    expect(d.reasons).toEqual(expect.arrayContaining(['BOT.CLAIM_LATENCY', 'BOT.AUTOMATION_UA']));
    expect(d).toMatchObject({ rulesetVersion: 'v1' });
    expect(d.decisionId).toMatch(/^dec_/);
  });

  it('answers a redemption posted without its type field', async () => {
    const { type: _t, ...body } = redemption({ userId: 'usr_shopper', lat: 34.6, lon: 119.2, occurredAt: at(DROP + 5 * 3_600_000) });
    const res = await fetch(`${base}/v1/decisions/redemption`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    // The headers express's res.json gives.
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    const answer = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(answer)).toEqual(['decisionId', 'eventId', 'decision', 'score', 'reasons', 'rulesetVersion']);
    expect(answer).toMatchObject({ eventId: body.eventId, decision: 'allow', score: 0, reasons: [], rulesetVersion: 'v1' });
  });

  it('refuses a body that breaks the contract, naming the field', async () => {
    const res = await fetch(`${base}/v1/decisions/redemption`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ ...redemption(), orderFen: 12.5 }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'orderFen' } });
    const decider = new HttpRiskDecider({ baseUrl: base, token: TOKEN });
    await expect(decider.decide({ ...claim(), channel: 'fax' } as never)).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'channel' });
  });

  it('decides a body with an unknown extra key (the slow, stripping path) as the same body without it', async () => {
    const post = async (body: unknown) =>
      (await (await fetch(`${base}/v1/decisions/claim`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) })).json()) as Record<string, unknown>;
    const plain = await post(claim({ userId: 'usr_extra_a', occurredAt: at(DROP + 3_600_000) }));
    const extra = await post({ ...claim({ userId: 'usr_extra_b', occurredAt: at(DROP + 3_600_000) }), note: 'x' });
    expect(extra).toMatchObject({ decision: plain.decision, score: plain.score, reasons: plain.reasons });
  });

  it('refuses a redemption posted to the claim route, naming the type', async () => {
    const res = await fetch(`${base}/v1/decisions/claim`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(redemption()) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'type' } });
  });

  it('refuses a caller without the token', async () => {
    await expect(new HttpRiskDecider({ baseUrl: base, token: 'wrong-token-0123456789' }).decide(claim())).rejects.toBeInstanceOf(AppError);
    const res = await fetch(`${base}/v1/decisions/claim`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claim()) });
    expect(res.status).toBe(401);
  });

  it('reports an unreachable engine as retryable', async () => {
    const decider = new HttpRiskDecider({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 });
    await expect(decider.decide(claim())).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  it('lists both routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/decisions/claim', '/v1/decisions/redemption']));
    expect(doc.components.schemas).toHaveProperty('Decision');
  });
});
