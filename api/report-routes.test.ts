// The T+1 report over HTTP: roles, bad queries as 4xx with a code and field, and the figures the
// store holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.ts';
import { eventRow } from '../ingest/store/rows.ts';
import { openTestStore, type TestStore } from '../ingest/testing/store.ts';
import { campaign, claim, merchant, redemption } from '../rules/testing/events.ts';
import { createApp } from './app.ts';
import { serve, type Served } from './testing/serve.ts';
import { reportRoutes } from './report-routes.ts';

const TOKENS = { bureau: 'bureau-token-0123456789', merchant: 'merchant-token-0123456789' };
let served: Served;
let base: string;
let store: TestStore;

beforeAll(async () => {
  store = await openTestStore();
  await store.insert('campaigns_v1', [eventRow(campaign())]);
  await store.insert('merchants_v1', [eventRow(merchant({ merchantId: 'mch_r', district: 'lianyun', category: 'dining' }))]);
  await store.insert('claims_v1', [eventRow(claim()), eventRow(claim())]);
  await store.insert('redemptions_v1', [eventRow(redemption({ merchantId: 'mch_r', orderFen: 10_000, discountFen: 2_000 }))]);
  const app = createApp({ modules: [reportRoutes({ store, tokens: TOKENS })], logger: silentLogger });
  served = await serve(app);
  base = served.base;
});
afterAll(async () => {
  await served.close();
  await store.dispose();
});

const get = (path: string, token?: string) => fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('GET /v1/reports/daily', () => {
  it('gives the bureau the day by district and category', async () => {
    const res = await get('/v1/reports/daily?day=2026-05-01', TOKENS.bureau);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.dayTotal).toMatchObject({ claims: 2, redemptions: 1, orderFen: 10_000, discountFen: 2_000, leverage: 5 });
    expect(body.byPlace).toContainEqual(expect.objectContaining({ district: 'lianyun', category: 'dining', redemptions: 1 }));
  });

  it('refuses a merchant token and a missing one', async () => {
    const forbidden = await get('/v1/reports/daily?day=2026-05-01', TOKENS.merchant);
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toMatchObject({ code: 'FORBIDDEN', field: 'authorization' });
    expect((await get('/v1/reports/daily?day=2026-05-01')).status).toBe(401);
  });

  it('answers a bad day with 400, the code and the field', async () => {
    const res = await get('/v1/reports/daily?day=yesterday', TOKENS.bureau);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'INVALID_REQUEST', field: 'day' });
    const missing = await get('/v1/reports/daily', TOKENS.bureau);
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.field).toBe('day');
  });
});

describe('GET /v1/reports/final', () => {
  it('gives the bureau the campaign\'s final report, 404 for an unknown campaign, 400 for a bad id, 403 for a merchant', async () => {
    const res = await get('/v1/reports/final?campaignId=cmp_t', TOKENS.bureau);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.totals).toMatchObject({ claims: 2, redemptions: 1, orderFen: 10_000, discountFen: 2_000, leverage: 5 });
    expect(body.byDistrict).toEqual([expect.objectContaining({ district: 'lianyun', redemptions: 1 })]);
    const missing = await get('/v1/reports/final?campaignId=cmp_nope', TOKENS.bureau);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatchObject({ code: 'NOT_FOUND' });
    const bad = await get('/v1/reports/final?campaignId=x', TOKENS.bureau);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: 'INVALID_REQUEST', field: 'campaignId' });
    expect((await get('/v1/reports/final?campaignId=cmp_t', TOKENS.merchant)).status).toBe(403);
  });
});
