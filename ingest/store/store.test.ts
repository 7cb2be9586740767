// Contract tests of the AnalyticsStore: embedded chdb by default, a ClickHouse server when
// CLICKHOUSE_URL is set (same suite, same SQL). Each test gets its own database.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadMigrations } from './migrate.ts';
import { chTime } from './time.ts';
import { eventRow } from './rows.ts';
import { openTestStore, testChdbPlacement, type TestStore } from '../testing/store.ts';

let store: TestStore | undefined;
afterEach(async () => {
  await store?.dispose();
  store = undefined;
});

const TABLES = ['campaigns_v1', 'case_reviews_v1', 'claims_v1', 'daily_rollup_v1', 'dead_letters_v1', 'decisions_v1', 'eligibility_v1', 'flags_v1', 'inspections_v1', 'merchants_v1', 'prices_v1', 'redemptions_v1', 'refunds_v1', 'schema_migrations'];

describe('AnalyticsStore', () => {
  it('migrations create every versioned table once, in order, and a second run applies nothing', async () => {
    store = await openTestStore();
    const tables = await store.query('SELECT name FROM system.tables WHERE database = {db:String} AND engine != {mv:String} ORDER BY name', { db: store.database, mv: 'MaterializedView' }, z.object({ name: z.string() }));
    expect(tables.map((t) => t.name)).toEqual(TABLES);
    const versions = await store.query('SELECT version FROM {{db}}.schema_migrations FINAL ORDER BY version', {}, z.object({ version: z.string() }));
    expect(versions.map((v) => v.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(await store.migrate()).toEqual([]);
    const again = await store.query('SELECT count() AS n FROM {{db}}.schema_migrations', {}, z.object({ n: z.number() }));
    expect(again[0]!.n).toBe(versions.length);
  });

  it('runs embedded ClickHouse on the thread the configuration asks for', async () => {
    store = await openTestStore();
    if (process.env.CLICKHOUSE_URL) expect(store.thread).toBeUndefined();
    else expect(store.thread).toBe(testChdbPlacement());
  });

  it('inserts and reads back rows with bound parameters, money as integer fen and ms times', async () => {
    store = await openTestStore();
    await store.insert('refunds_v1', [
      { eventId: 'evt_a', occurredAt: chTime(Date.parse('2026-01-23T02:00:00.123Z')), refundId: 'rfd_1', orderId: 'ord_1', merchantId: 'mch_1', userId: 'usr_1', refundFen: 9_007_199_254_740_991, couponReturned: 1 },
      { eventId: 'evt_b', occurredAt: chTime(Date.parse('2026-01-23T03:00:00.000Z')), refundId: 'rfd_2', orderId: 'ord_2', merchantId: 'mch_2', userId: 'usr_2', refundFen: 1250, couponReturned: 0 },
    ]);
    const rows = await store.query(
      "SELECT eventId, refundFen, toString(occurredAt) AS at FROM {{db}}.refunds_v1 WHERE merchantId = {m:String}",
      { m: 'mch_1' },
      z.object({ eventId: z.string(), refundFen: z.number().int(), at: z.string() }),
    );
    expect(rows).toEqual([{ eventId: 'evt_a', refundFen: 9_007_199_254_740_991, at: '2026-01-23 02:00:00.123' }]);
    // A bound parameter is data, never SQL.
    const none = await store.query('SELECT eventId FROM {{db}}.refunds_v1 WHERE merchantId = {m:String}', { m: "mch_1' OR 1=1 --" }, z.object({ eventId: z.string() }));
    expect(none).toEqual([]);
  });

  it('stores contract times with their offset as the same instant, at millisecond precision', async () => {
    store = await openTestStore();
    const e = { eventId: 'evt_t', type: 'refund', occurredAt: '2026-01-24T07:30:00.123456789+08:00', refundId: 'rfd_t', orderId: 'ord_t', merchantId: 'mch_t', userId: 'usr_t', refundFen: 1, couponReturned: false } as const;
    const e2 = { ...e, eventId: 'evt_z', occurredAt: '2026-01-23T23:30:00Z' };
    await store.insert('refunds_v1', [eventRow(e), eventRow(e2)]);
    const rows = await store.query('SELECT eventId, toString(occurredAt) AS at FROM {{db}}.refunds_v1 ORDER BY eventId', {}, z.object({ eventId: z.string(), at: z.string() }));
    expect(rows).toEqual([{ eventId: 'evt_t', at: '2026-01-23 23:30:00.123' }, { eventId: 'evt_z', at: '2026-01-23 23:30:00.000' }]);
  });

  it('refuses rows that do not match the caller schema, naming the field', async () => {
    store = await openTestStore();
    await expect(store.query('SELECT 1 AS n', {}, z.object({ n: z.string() }))).rejects.toThrow(/row 0 .*n/);
  });

  it('refuses a table name that is not a plain identifier', async () => {
    store = await openTestStore();
    await expect(store.insert('claims_v1; DROP TABLE x', [{ a: 1 }])).rejects.toThrow(/plain identifier/);
  });

  it('a deduplication token left on the chdb session does not drop the next insert', async () => {
    store = await openTestStore();
    await store.client.command({ query: `CREATE TABLE ${store.database}.trap (id String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100` });
    const raw = (id: string, settings: Record<string, string> = {}) =>
      store!.client.insert({ table: `${store!.database}.trap`, values: [{ id }], format: 'JSONEachRow', clickhouse_settings: settings });
    await raw('x', { insert_deduplication_token: 'tok1' });
    // The trap: a plain insert right after inherits the token on chdb and is dropped as a duplicate.
    await raw('y');
    await store.insert('trap', [{ id: 'a' }]);
    await raw('z', { insert_deduplication_token: 'tok1' });
    await store.insert('trap', [{ id: 'b' }]);
    const ids = (await store.query('SELECT id FROM {{db}}.trap ORDER BY id', {}, z.object({ id: z.string() }))).map((r) => r.id);
    expect(ids).toEqual(store.backend === 'chdb' ? ['a', 'b', 'x'] : ['a', 'b', 'x', 'y']);
  });

  it('collapses a row stored twice under FINAL (ReplacingMergeTree on eventId)', async () => {
    store = await openTestStore();
    const row = { eventId: 'evt_dup', occurredAt: chTime(Date.parse('2026-01-23T02:00:00.000Z')), campaignId: 'cmp_1', userId: 'usr_1', idHash: 'ab'.repeat(16), phoneHash: 'cd'.repeat(16) };
    await store.insert('eligibility_v1', [row]);
    await store.insert('eligibility_v1', [row]);
    const n = z.object({ n: z.number() });
    expect((await store.query('SELECT count() AS n FROM {{db}}.eligibility_v1', {}, n))[0]!.n).toBe(2);
    expect((await store.query('SELECT count() AS n FROM {{db}}.eligibility_v1 FINAL', {}, n))[0]!.n).toBe(1);
  });

  it('keeps the daily rollup per CST day, district, category and campaign', async () => {
    store = await openTestStore();
    const t = (iso: string) => chTime(Date.parse(iso));
    await store.insert('merchants_v1', [{ eventId: 'evt_m', occurredAt: t('2026-01-22T10:00:00+08:00'), merchantId: 'mch_1', name: 'A', category: 'dining', district: 'haizhou', lat: 34.6, lon: 119.2, ownerIdHash: '', settlementAccountHash: '', terminalIds: [] }]);
    const claim = (id: string, iso: string) => ({ eventId: id, occurredAt: t(iso), claimId: `clm_${id}`, couponId: `cpn_${id}`, campaignId: 'cmp_1', batchId: 'bat_1', couponTypeId: 'cpt_1', userId: 'usr_1', idHash: '', phoneHash: '', deviceId: '', ip: '', lat: null, lon: null, userAgent: '', channel: 'app', accountCreatedAt: null });
    // 23:30 on the 23rd in UTC is the 24th in Lianyungang.
    await store.insert('claims_v1', [claim('c1', '2026-01-23T10:00:00+08:00'), claim('c2', '2026-01-23T23:30:00Z')]);
    const redemption = (id: string, merchantId: string, orderFen: number, discountFen: number) => ({
      eventId: id, occurredAt: t('2026-01-23T12:00:00+08:00'), redemptionId: `rdm_${id}`, couponId: `cpn_${id}`, campaignId: 'cmp_1', couponTypeId: 'cpt_1', userId: 'usr_1', merchantId, orderId: `ord_${id}`,
      orderFen, discountFen, paidFen: orderFen - discountFen, terminalId: '', cardBin: '', cardHash: '', deviceId: '', ip: '', lat: null, lon: null, itemsJson: '',
    });
    await store.insert('redemptions_v1', [redemption('r1', 'mch_1', 10000, 2000), redemption('r2', 'mch_1', 5000, 1000), redemption('r3', 'mch_x', 3000, 500)]);
    await store.insert('refunds_v1', [{ eventId: 'f1', occurredAt: t('2026-01-23T13:00:00+08:00'), refundId: 'rfd_1', orderId: 'ord_r2', merchantId: 'mch_1', userId: 'usr_1', refundFen: 4000, couponReturned: 1 }]);
    const rows = await store.query(
      'SELECT toString(day) AS day, district, category, campaignId, sum(claims) AS claims, sum(redemptions) AS redemptions, sum(orderFen) AS orderFen, sum(discountFen) AS discountFen, sum(refunds) AS refunds, sum(refundFen) AS refundFen FROM {{db}}.daily_rollup_v1 GROUP BY day, district, category, campaignId ORDER BY day, district',
      {},
      z.object({ day: z.string(), district: z.string(), category: z.string(), campaignId: z.string(), claims: z.number(), redemptions: z.number(), orderFen: z.number(), discountFen: z.number(), refunds: z.number(), refundFen: z.number() }),
    );
    expect(rows).toEqual([
      { day: '2026-01-23', district: '', category: '', campaignId: 'cmp_1', claims: 1, redemptions: 0, orderFen: 0, discountFen: 0, refunds: 0, refundFen: 0 },
      { day: '2026-01-23', district: 'haizhou', category: 'dining', campaignId: 'cmp_1', claims: 0, redemptions: 2, orderFen: 15000, discountFen: 3000, refunds: 1, refundFen: 4000 },
      { day: '2026-01-23', district: 'unknown', category: 'unknown', campaignId: 'cmp_1', claims: 0, redemptions: 1, orderFen: 3000, discountFen: 500, refunds: 0, refundFen: 0 },
      { day: '2026-01-24', district: '', category: '', campaignId: 'cmp_1', claims: 1, redemptions: 0, orderFen: 0, discountFen: 0, refunds: 0, refundFen: 0 },
    ]);
  });
});
