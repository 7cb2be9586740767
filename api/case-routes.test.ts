// Triage and inspection routes: who may call them, 4xx with a code and field for bad input, CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { eventRow } from '../ingest/store/rows.ts';
import { chTime } from '../ingest/store/time.ts';
import { openTestStore, type TestStore } from '../ingest/testing/store.ts';
import { DROP, merchant } from '../rules/testing/events.ts';
import { caseIdOf } from '../cases/queue.ts';
import { createApp } from './app.ts';
import { serve, type Served } from './testing/serve.ts';
import { caseRoutes } from './case-routes.ts';

const TOKENS = { analyst: 'analyst-token-0123456789', bureau: 'bureau-token-0123456789', issuance: 'issuance-token-0123456789' };
let served: Served;
let base: string;
let store: TestStore;
// Reviews are ordered by time: each request moves the clock on, as real time would.
const clock = new ManualClock(DROP + 3_600_000);

beforeAll(async () => {
  store = await openTestStore();
  await store.insert('merchants_v1', [eventRow(merchant({ merchantId: 'mch_x', name: 'x', district: 'donghai', category: 'retail' }))]);
  await store.insert('flags_v1', [{ entityType: 'merchant', entityId: 'mch_x', fraudType: 'cash_out', score: 0.9, reasons: ['CASH_OUT.THRESHOLD_HUGGING'], members: [], source: 'rules', createdAt: chTime(DROP) }]);
  const app = createApp({ modules: [caseRoutes({ store, clock, tokens: TOKENS })], logger: silentLogger });
  served = await serve(app);
  base = served.base;
});
afterAll(async () => {
  await served.close();
  await store.dispose();
});

const call = (method: string, path: string, token?: string, body?: unknown) => (clock.advance(1000), fetch(base + path, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }));

describe('case routes', () => {
  it('lets an analyst read the queue and review a case; the issuance token may not', async () => {
    const res = await call('GET', '/v1/cases', TOKENS.analyst);
    expect(res.status).toBe(200);
    const q = await res.json();
    expect(q.cases.map((c: { entityId: string }) => c.entityId)).toEqual(['mch_x']);
    const id = caseIdOf('cash_out', 'merchant', 'mch_x');
    const review = await call('POST', `/v1/cases/${id}/review`, TOKENS.analyst, { status: 'confirmed', note: 'hugging and shared cards', reviewer: 'analyst zhao' });
    expect(review.status).toBe(201);
    expect(await review.json()).toMatchObject({ caseId: id, status: 'confirmed', role: 'analyst' });
    expect((await (await call('GET', `/v1/cases/${id}`, TOKENS.analyst)).json()).case.status).toBe('confirmed');
    expect((await call('GET', '/v1/cases', TOKENS.issuance)).status).toBe(403);
    expect((await call('GET', '/v1/cases', TOKENS.bureau)).status).toBe(403);
  });

  it('answers bad input with 400 and the field, unknown cases with 404', async () => {
    const bad = await call('GET', '/v1/cases?status=closed', TOKENS.analyst);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: 'INVALID_REQUEST', field: 'status' });
    expect((await (await call('GET', '/v1/cases/not-a-case', TOKENS.analyst)).json()).error.field).toBe('caseId');
    const missing = await call('POST', `/v1/cases/${caseIdOf('x', 'merchant', 'mch_none')}/review`, TOKENS.analyst, { status: 'dismissed', note: 'nothing', reviewer: 'a' });
    expect(missing.status).toBe(404);
    const noNote = await call('POST', `/v1/cases/${caseIdOf('cash_out', 'merchant', 'mch_x')}/review`, TOKENS.analyst, { status: 'dismissed', reviewer: 'a' });
    expect((await noNote.json()).error).toMatchObject({ code: 'INVALID_REQUEST', field: 'note' });
  });

  it('gives the bureau an inspection list as CSV and takes a result', async () => {
    const id = caseIdOf('cash_out', 'merchant', 'mch_x');
    await call('POST', `/v1/cases/${id}/review`, TOKENS.analyst, { status: 'escalated', note: 'send a field team', reviewer: 'analyst zhao' });
    const csv = await call('GET', '/v1/inspections?format=csv&district=donghai', TOKENS.bureau);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect((await csv.text()).split('\n')[1]).toMatch(/^donghai,mch_x,x,retail,/);
    expect((await call('GET', '/v1/inspections?format=xml', TOKENS.bureau)).status).toBe(400);
    const bad = await call('POST', '/v1/inspections', TOKENS.bureau, { merchantId: 'mch_x', result: 'maybe', note: 'looked', inspector: 'team 1' });
    expect((await bad.json()).error.field).toBe('result');
    const ok = await call('POST', '/v1/inspections', TOKENS.bureau, { merchantId: 'mch_x', result: 'fraud_confirmed', fraudType: 'cash_out', note: 'empty shelves', inspector: 'team 1' });
    expect(ok.status).toBe(201);
    expect((await (await call('GET', '/v1/inspections', TOKENS.bureau)).json()).merchants).toEqual([]);
  });
});
