import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { MemoryIssuanceStore } from '../issuance/state/memory.ts';
import { ScriptedDecider, T0, campaignDef, nationalId, phone, winnersCsv } from '../issuance/testing/fixtures.ts';
import { createApp } from './app.ts';
import { createIssuanceRoutes } from './issuance-routes.ts';

const TOKENS = { admin: 'admin-token-0123456789', issuance: 'issuance-token-0123456789', merchant: 'merchant-token-0123456789' };
let server: Server;
let base: string;

async function call(method: string, path: string, opts: { token?: string | null; body?: unknown; raw?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKENS.admin}`;
  const res = await fetch(base + path, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

beforeAll(async () => {
  const clock = new ManualClock(T0);
  const routes = createIssuanceRoutes({ store: new MemoryIssuanceStore(clock), decider: new ScriptedDecider(), clock, logger: silentLogger, hmacSecret: 'routes-test-secret-0123456789', tokens: TOKENS });
  const app = createApp({ modules: [routes], logger: silentLogger });
  server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  expect((await call('POST', '/v1/campaigns', { body: campaignDef() })).status).toBe(201);
  expect((await call('POST', '/v1/campaigns/cmp_test/publish')).body).toEqual({ status: 'published' });
  const imp = await call('POST', '/v1/campaigns/cmp_test/eligibility', { body: { content: winnersCsv(5, [`x,${nationalId(9).slice(0, 17)}0,${phone(9)},usr_9`]) } });
  expect(imp.body).toMatchObject({ granted: 5 });
  expect((await call('POST', '/v1/merchants', { body: { merchantId: 'mch_a', name: 'A', category: 'dining', district: 'haizhou', lat: 34.6, lon: 119.2 } })).status).toBe(201);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const claim = { campaignId: 'cmp_test', couponTypeId: 'cpt_dining50', userId: 'usr_1', idempotencyKey: 'k1', channel: 'app' };
const redeem = { campaignId: 'cmp_test', orderId: 'ord_1', merchantId: 'mch_a', userId: 'usr_1', orderFen: 30_000, cardBin: '622848' };

describe('issuance HTTP API', () => {
  it('claims, redeems, refunds and settles through HTTP', async () => {
    const c = await call('POST', '/v1/claims', { token: TOKENS.issuance, body: claim });
    expect(c.status).toBe(200);
    expect(c.body.result).toMatchObject({ kind: 'granted', replayed: false });
    expect((await call('POST', '/v1/claims', { token: TOKENS.issuance, body: claim })).body.result).toMatchObject({ kind: 'granted', replayed: true });
    const w = await call('GET', '/v1/campaigns/cmp_test/wallets/usr_1', { token: TOKENS.issuance });
    expect(w.body.coupons).toHaveLength(1);
    const r = await call('POST', '/v1/redemptions', { token: TOKENS.merchant, body: redeem });
    expect(r.body.result).toMatchObject({ kind: 'redeemed', discountFen: 5_000, paidFen: 25_000 });
    expect((await call('POST', '/v1/redemptions', { token: TOKENS.merchant, body: { ...redeem, orderFen: 31_000 } })).body.error).toMatchObject({ code: 'CONFLICT', field: 'orderId' });
    const f = await call('POST', '/v1/refunds', { token: TOKENS.merchant, body: { refundId: 'rfd_1', orderId: 'ord_1', merchantId: 'mch_a', refundFen: 5_000 } });
    expect(f.body.result).toMatchObject({ kind: 'refunded', subsidyFen: 4_000 });
    const l = await call('GET', '/v1/settlement/ledger?merchantId=mch_a');
    expect(l.body.days).toEqual([{ merchantId: 'mch_a', day: '2026-05-01', orders: 1, owedFen: 4_000, heldFen: 0, clawedBackOrders: 0, discountFen: 5_000 }]);
    expect((await call('POST', '/v1/merchants/mch_a/block')).body).toEqual({ merchantId: 'mch_a', heldOrders: 1 });
    expect((await call('GET', '/v1/settlement/holds')).body.entries).toHaveLength(1);
    expect((await call('POST', '/v1/settlement/holds/ord_1/release')).body).toMatchObject({ kind: 'released' });
  });

  it('documents every route in /openapi.json', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    for (const p of ['/v1/campaigns', '/v1/claims', '/v1/redemptions', '/v1/refunds', '/v1/settlement/ledger', '/v1/settlement/holds/{orderId}/clawback', '/v1/users/{userId}/block'])
      expect(doc.paths[p], p).toBeDefined();
    expect(doc.components.schemas.ClaimRequest.required).toEqual(expect.arrayContaining(['campaignId', 'userId', 'idempotencyKey']));
    expect(doc.components.schemas.ClaimResult.properties.kind.enum).toContain('sold_out');
  });

  const badDef = { ...campaignDef({ campaignId: 'cmp_bad' }), endsAt: '2026-04-01T00:00:00.000+08:00' };
  it.each([
    ['bad JSON', 'POST', '/v1/claims', { token: TOKENS.issuance, raw: '{"campaignId":' }, 400, 'INVALID_REQUEST', '(body)'],
    ['JSON array body', 'POST', '/v1/claims', { token: TOKENS.issuance, body: [claim] }, 400, 'INVALID_REQUEST', '(body)'],
    ['text body', 'POST', '/v1/claims', { token: TOKENS.issuance, raw: 'hello', contentType: 'text/plain' }, 400, 'INVALID_REQUEST', '(body)'],
    ['missing field', 'POST', '/v1/claims', { token: TOKENS.issuance, body: { ...claim, userId: undefined } }, 400, 'INVALID_REQUEST', 'userId'],
    ['wrong type', 'POST', '/v1/claims', { token: TOKENS.issuance, body: { ...claim, userId: 42 } }, 400, 'INVALID_REQUEST', 'userId'],
    ['unknown channel', 'POST', '/v1/claims', { token: TOKENS.issuance, body: { ...claim, channel: 'fax' } }, 400, 'INVALID_REQUEST', 'channel'],
    ['unknown field', 'POST', '/v1/claims', { token: TOKENS.issuance, body: { ...claim, admin: true } }, 400, 'INVALID_REQUEST', 'admin'],
    ['prototype key', 'POST', '/v1/claims', { token: TOKENS.issuance, raw: JSON.stringify(claim).replace('{', '{"__proto__":{"x":1},') }, 400, 'INVALID_REQUEST', '__proto__'],
    ['hash-tag braces in an id', 'POST', '/v1/claims', { token: TOKENS.issuance, body: { ...claim, campaignId: 'cmp_{x}' } }, 400, 'INVALID_REQUEST', 'campaignId'],
    ['float fen', 'POST', '/v1/redemptions', { token: TOKENS.merchant, body: { ...redeem, orderFen: 300.5 } }, 400, 'INVALID_REQUEST', 'orderFen'],
    ['string fen', 'POST', '/v1/redemptions', { token: TOKENS.merchant, body: { ...redeem, orderFen: '30000' } }, 400, 'INVALID_REQUEST', 'orderFen'],
    ['negative fen', 'POST', '/v1/refunds', { token: TOKENS.merchant, body: { refundId: 'r', orderId: 'o', merchantId: 'm', refundFen: -1 } }, 400, 'INVALID_REQUEST', 'refundFen'],
    ['huge fen', 'POST', '/v1/redemptions', { token: TOKENS.merchant, body: { ...redeem, orderFen: 1e300 } }, 400, 'INVALID_REQUEST', 'orderFen'],
    ['short card BIN', 'POST', '/v1/redemptions', { token: TOKENS.merchant, body: { ...redeem, cardBin: '62' } }, 400, 'INVALID_REQUEST', 'cardBin'],
    ['bad item', 'POST', '/v1/redemptions', { token: TOKENS.merchant, body: { ...redeem, items: [{ sku: 's', qty: 0, unitPriceFen: 1 }] } }, 400, 'INVALID_REQUEST', 'items.0.qty'],
    ['campaign ends before it starts', 'POST', '/v1/campaigns', { body: badDef }, 400, 'INVALID_REQUEST', 'endsAt'],
    ['campaign with a bad batch time', 'POST', '/v1/campaigns', { body: { ...campaignDef({ campaignId: 'cmp_b2' }), startsAt: '2026-02-30T00:00:00+08:00' } }, 400, 'INVALID_REQUEST', 'startsAt'],
    ['campaign id taken', 'POST', '/v1/campaigns', { body: campaignDef() }, 409, 'CONFLICT', 'campaignId'],
    ['eligibility without content', 'POST', '/v1/campaigns/cmp_test/eligibility', { body: { format: 'csv' } }, 400, 'INVALID_REQUEST', 'content'],
    ['unknown campaign', 'POST', '/v1/claims', { token: TOKENS.issuance, body: { ...claim, campaignId: 'cmp_nope' } }, 404, 'NOT_FOUND', 'campaignId'],
    ['unknown coupon type', 'POST', '/v1/claims', { token: TOKENS.issuance, body: { ...claim, couponTypeId: 'cpt_nope' } }, 404, 'NOT_FOUND', 'couponTypeId'],
    ['unknown campaign get', 'GET', '/v1/campaigns/cmp_nope', {}, 404, 'NOT_FOUND', 'campaignId'],
    ['unknown merchant block', 'POST', '/v1/merchants/mch_nope/block', {}, 404, 'NOT_FOUND', 'merchantId'],
    ['release of an unknown order', 'POST', '/v1/settlement/holds/ord_nope/release', {}, 404, 'NOT_FOUND', 'orderId'],
    ['bad ledger day', 'GET', '/v1/settlement/ledger?day=yesterday', {}, 400, 'INVALID_REQUEST', 'day'],
    ['repeated query parameter', 'GET', '/v1/settlement/ledger?day=2026-05-01&day=2026-05-02', {}, 400, 'INVALID_REQUEST', 'day'],
    ['no token', 'POST', '/v1/claims', { token: null, body: claim }, 401, 'UNAUTHENTICATED', 'authorization'],
    ['wrong token', 'POST', '/v1/claims', { token: 'nope-nope-nope-nope', body: claim }, 401, 'UNAUTHENTICATED', 'authorization'],
    ['merchant token on claims', 'POST', '/v1/claims', { token: TOKENS.merchant, body: claim }, 403, 'FORBIDDEN', 'authorization'],
    ['issuance token on admin route', 'POST', '/v1/campaigns/cmp_test/publish', { token: TOKENS.issuance }, 403, 'FORBIDDEN', 'authorization'],
    ['oversize body', 'POST', '/v1/campaigns/cmp_test/eligibility', { body: { content: 'x'.repeat(300_000) } }, 413, 'PAYLOAD_TOO_LARGE', '(body)'],
  ] as const)('answers %s with a 4xx code and field', async (_name, method, path, opts, status, code, field) => {
    const r = await call(method, path, opts as Parameters<typeof call>[2]);
    expect(r.status).toBe(status);
    expect(r.body.error).toMatchObject({ code, field });
    expect(r.text).not.toMatch(/at .*\.ts:\d+|node_modules/);
  });

  it('never echoes a raw national ID in an import report or error', async () => {
    const raw = `${nationalId(9).slice(0, 17)}0`;
    const r = await call('POST', '/v1/campaigns/cmp_test/eligibility', { body: { content: `name,nationalId,phone\nx,${raw},${phone(9)}\n` } });
    expect(r.text).not.toContain(raw);
    expect(r.body.rejected[0]).toMatchObject({ line: 2, field: 'nationalId' });
  });
});

describe('issuance HTTP API when Redis is down', () => {
  it('answers 503 UNAVAILABLE, retryable, without internals', async () => {
    const { Redis } = await import('ioredis');
    const { RedisIssuanceStore } = await import('../issuance/state/redis.ts');
    // Nothing listens on port 1; one quick attempt, then ioredis gives up on the command.
    const redis = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: true });
    redis.on('error', () => {});
    const clock = new ManualClock(T0);
    const routes = createIssuanceRoutes({ store: new RedisIssuanceStore({ redis, prefix: 'down:' }), decider: new ScriptedDecider(), clock, logger: silentLogger, hmacSecret: 'down-test-secret-0123456789', tokens: TOKENS });
    const app = createApp({ modules: [routes], logger: silentLogger });
    const s = app.listen(0);
    await new Promise((r) => s.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/v1/campaigns/cmp_x`, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
      const body = (await res.json()) as { error: { code: string; retryable: boolean; message: string } };
      expect(res.status).toBe(503);
      expect(body.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true, message: 'issuance store is unavailable' });
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
      redis.disconnect();
    }
  });
});
