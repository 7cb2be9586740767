// The whole engine as `npm start` runs it: a campaign published over HTTP, winners imported, a
// coupon claimed and used at checkout; the claim and redemption travel through the outbox relay
// and the bus into ClickHouse, and the rules engine's decisions land in decisions_v1. Then the
// engine stops and starts again on the same data: wallets, orders and limits are still there
// (embedded: the hot-state journal; with REDIS_URL: Redis).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { toCstIso } from '../../core/clock.ts';
import { startEngine, type Engine } from '../../cli/start.ts';
import { nationalId, phone } from '../../issuance/testing/fixtures.ts';
import { uniqueName, waitFor } from '../services.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-flow-'));
let engine: Engine | undefined;
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ADMIN = 'admin-token-0123456789';
const ISSUANCE = 'issuance-token-0123456789';
const MERCHANT = 'merchant-token-0123456789';

describe('engine flow', () => {
  let config: ReturnType<typeof loadConfig>;
  let campaignId = '';
  let couponId = '';
  const call = async (path: string, token: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${engine!.port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('issues a coupon over HTTP, redeems it, and stores events and decisions', async () => {
    config = loadConfig({
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'silent',
      QUANGUARD_DATA_DIR: dir,
      CLICKHOUSE_DATABASE: uniqueName('qg_flow'),
      KAFKA_TOPIC_PREFIX: uniqueName('qgflow'),
      QUANGUARD_REDIS_PREFIX: uniqueName('qgf').slice(0, 32),
      QUANGUARD_TOKEN_ADMIN: ADMIN,
      QUANGUARD_TOKEN_ISSUANCE: ISSUANCE,
      QUANGUARD_TOKEN_MERCHANT: MERCHANT,
    });
    engine = await startEngine(config, createLogger({ level: 'silent' }), { processMetrics: false });

    // The system clock drives the issuance core here, so the campaign is open around now.
    const now = Date.now();
    campaignId = uniqueName('cmp').replace(/[^A-Za-z0-9_]/g, '_');
    const campaign = {
      campaignId,
      name: 'flow test',
      startsAt: toCstIso(now - 3600_000),
      endsAt: toCstIso(now + 30 * 86_400_000),
      budgetFen: 1_000_000,
      batches: [
        {
          batchId: 'bat_1',
          dropAt: toCstIso(now - 60_000),
          validUntil: toCstIso(now + 15 * 86_400_000),
          coupons: [{ couponTypeId: 'cpt_100_50', kind: 'threshold', thresholdFen: 10_000, discountFen: 5_000, quantity: 10, categories: ['dining'] }],
        },
      ],
      limits: { perPerson: 1, perPersonPerType: 1, perPersonPerBatch: 1 },
      refundPolicy: 'never_return',
      districts: ['haizhou'],
    };
    expect((await call('/v1/campaigns', ADMIN, campaign)).status).toBe(201);
    expect((await call(`/v1/campaigns/${campaignId}/publish`, ADMIN, {})).status).toBeLessThan(300);
    const csv = `name,nationalId,phone,userId\n张三,${nationalId(1)},${phone(1)},usr_flow1\n`;
    expect((await call(`/v1/campaigns/${campaignId}/eligibility`, ADMIN, { format: 'csv', content: csv })).status).toBeLessThan(300);
    expect(
      (await call('/v1/merchants', ADMIN, { merchantId: 'mch_flow1', name: '海州饭店', category: 'dining', district: 'haizhou', lat: 34.6, lon: 119.2 })).status,
    ).toBeLessThan(300);

    const claim = await call('/v1/claims', ISSUANCE, { campaignId, couponTypeId: 'cpt_100_50', userId: 'usr_flow1', idempotencyKey: 'k1', channel: 'app' });
    expect(claim.status, JSON.stringify(claim.body)).toBe(200);
    expect(claim.body.result.kind).toBe('granted');
    couponId = claim.body.result.couponId;
    const second = await call('/v1/claims', ISSUANCE, { campaignId, couponTypeId: 'cpt_100_50', userId: 'usr_flow1', idempotencyKey: 'k2', channel: 'app' });
    expect(second.body.result.kind).toBe('limit_reached');

    const redeem = await call('/v1/redemptions', MERCHANT, { campaignId, orderId: 'ord_flow1', merchantId: 'mch_flow1', userId: 'usr_flow1', orderFen: 12_800, cardBin: '622848' });
    expect(redeem.status, JSON.stringify(redeem.body)).toBe(200);
    expect(JSON.stringify(redeem.body)).toContain('"discountFen":5000');

    const count = async (sql: string) => (await engine!.store.query(sql, { c: campaignId }, z.object({ n: z.coerce.number() })))[0]?.n ?? 0;
    await waitFor(async () => (await count('SELECT count() AS n FROM {{db}}.claims_v1 WHERE campaignId = {c:String}')) === 1, { timeoutMs: 60_000, what: 'claim stored' });
    await waitFor(async () => (await count('SELECT count() AS n FROM {{db}}.redemptions_v1 WHERE campaignId = {c:String}')) === 1, { timeoutMs: 60_000, what: 'redemption stored' });
    await waitFor(async () => (await count("SELECT count() AS n FROM {{db}}.decisions_v1 WHERE eventType IN ('claim', 'redemption')")) >= 2, {
      timeoutMs: 60_000,
      what: 'decisions stored',
    });
  });

  it('keeps wallets, orders and limits across a restart', async () => {
    expect(couponId).toMatch(/^cpn_/);
    await engine!.close();
    engine = await startEngine(config, createLogger({ level: 'silent' }), { processMetrics: false });
    const wallet = await call(`/v1/campaigns/${campaignId}/wallets/usr_flow1`, ISSUANCE);
    expect(wallet.status).toBe(200);
    expect(JSON.stringify(wallet.body)).toContain(couponId);
    expect(JSON.stringify(wallet.body)).toContain('"status":"used"');
    const again = await call('/v1/claims', ISSUANCE, { campaignId, couponTypeId: 'cpt_100_50', userId: 'usr_flow1', idempotencyKey: 'k1', channel: 'app' });
    expect(again.body.result).toMatchObject({ kind: 'granted', couponId, replayed: true });
    const third = await call('/v1/claims', ISSUANCE, { campaignId, couponTypeId: 'cpt_100_50', userId: 'usr_flow1', idempotencyKey: 'k3', channel: 'app' });
    expect(third.body.result.kind).toBe('limit_reached');
    const redeemAgain = await call('/v1/redemptions', MERCHANT, { campaignId, orderId: 'ord_flow1', merchantId: 'mch_flow1', userId: 'usr_flow1', orderFen: 12_800, cardBin: '622848' });
    expect(redeemAgain.body.result ?? redeemAgain.body).toMatchObject({ replayed: true });
  });
});
