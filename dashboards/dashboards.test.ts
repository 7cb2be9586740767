// The dashboards as Grafana will load them: JSON in step with definitions.ts, every data source
// provisioned, every ClickHouse panel's SQL run (macros expanded as the Grafana ClickHouse plugin
// does) against the real schema with known data, and every Prometheus series one the engine
// exports.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMetrics } from '../api/metrics.ts';
import { eventRow, EVENT_TABLES } from '../ingest/store/rows.ts';
import { chTime } from '../ingest/store/time.ts';
import { openTestStore, type TestStore } from '../ingest/testing/store.ts';
import type { QuanguardEvent } from '../core/events.ts';
import { at, campaign, claim, DROP, merchant, redemption, refund } from '../rules/testing/events.ts';
import { dashboardFile, JSON_DIR, renderDashboard } from './build.ts';
import { ALL_CAMPAIGNS, DASHBOARDS, DATABASE } from './definitions.ts';

const here = new URL('.', import.meta.url).pathname;
const FROM = DROP - 2 * 86_400_000;
const TO = DROP + 2 * 86_400_000;

/** The macros as grafana-clickhouse-datasource v4 expands them (time range in UTC seconds). */
function expand(sql: string, database: string, campaignValue: string): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return sql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_m, c) => `${c} >= toDateTime(${Math.floor(FROM / 1000)}) AND ${c} <= toDateTime(${Math.floor(TO / 1000)})`)
    .replace(/\$__dateFilter\(([^)]+)\)/g, (_m, c) => `${c} >= toDate('${day(FROM)}') AND ${c} <= toDate('${day(TO)}')`)
    .replace(/\$__timeInterval\(([^)]+)\)/g, (_m, c) => `toStartOfInterval(toDateTime(${c}), INTERVAL 60 second)`)
    .replaceAll('${campaign:sqlstring}', `'${campaignValue}'`)
    .replace(new RegExp(`\\b${DATABASE}\\.`, 'g'), `${database}.`);
}

interface Target { rawSql?: string; expr?: string; format?: number; datasource: { uid: string } }
interface Panel { title: string; type: string; datasource: { uid: string }; targets: Target[] }
const loaded = DASHBOARDS.map((d) => JSON.parse(readFileSync(dashboardFile(d.uid), 'utf8')) as { uid: string; panels: Panel[]; templating: { list: Array<{ query: string; datasource: { uid: string } }> } });

describe('dashboard files', () => {
  it('are the rendering of definitions.ts, one file per dashboard (run dashboards/build.ts after a change)', () => {
    for (const d of DASHBOARDS) expect(readFileSync(dashboardFile(d.uid), 'utf8'), d.uid).toBe(renderDashboard(d.uid));
    expect(readdirSync(JSON_DIR).sort()).toEqual(DASHBOARDS.map((d) => `${d.uid}.json`).sort());
  });

  it('use only data sources that provisioning declares, and unique panel titles', () => {
    const yaml = readFileSync(join(here, 'provisioning/datasources/quanguard.yaml'), 'utf8');
    const uids = new Set([...yaml.matchAll(/^\s+uid:\s*(\S+)\s*$/gm)].map((m) => m[1]));
    expect(uids.size).toBe(2);
    for (const d of loaded) {
      const titles = d.panels.map((p) => p.title);
      expect(new Set(titles).size, d.uid).toBe(titles.length);
      for (const p of d.panels) {
        expect(uids.has(p.datasource.uid), `${d.uid}/${p.title}`).toBe(true);
        for (const t of p.targets) expect(t.datasource.uid).toBe(p.datasource.uid);
      }
    }
  });

  it('query only series GET /metrics exports', async () => {
    const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const exprs = loaded.flatMap((d) => d.panels.flatMap((p) => p.targets.flatMap((t) => (t.expr ? [t.expr] : []))));
    expect(exprs.length).toBeGreaterThan(0);
    for (const expr of exprs) {
      const names = [...expr.matchAll(/\b(quanguard_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));
      expect(names.length, expr).toBeGreaterThan(0);
      for (const n of names) expect(exported.has(n), `${n} in ${expr}`).toBe(true);
    }
  });
});

describe('ClickHouse panels on the real schema', () => {
  let store: TestStore;
  const run = (sql: string, campaignValue = ALL_CAMPAIGNS) => store.query(expand(sql, store.database, campaignValue), {}, z.record(z.string(), z.unknown()));
  const panel = (uid: string, title: string) => {
    const p = loaded.find((d) => d.uid === uid)!.panels.find((x) => x.title === title);
    if (!p) throw new Error(`no panel "${title}" in ${uid}`);
    return p.targets[0]!.rawSql!;
  };

  beforeAll(async () => {
    store = await openTestStore();
    const events: QuanguardEvent[] = [
      campaign({ campaignId: 'cmp_t', budgetFen: 100_000 }),
      campaign({ campaignId: 'cmp_other', budgetFen: 50_000 }),
      merchant({ merchantId: 'mch_a', district: 'haizhou', category: 'supermarket' }),
      merchant({ merchantId: 'mch_b', district: 'ganyu', category: 'dining' }),
      claim(), claim(), claim(), claim({ campaignId: 'cmp_other' }),
      redemption({ merchantId: 'mch_a', orderFen: 15_000, orderId: 'ord_1' }),
      redemption({ merchantId: 'mch_b', orderFen: 30_000, discountFen: 5_000 }),
      redemption({ merchantId: 'mch_b', campaignId: 'cmp_other', orderFen: 9_000, discountFen: 3_000, occurredAt: at(DROP + 86_400_000) }),
      refund({ merchantId: 'mch_a', orderId: 'ord_1', refundFen: 15_000 }),
    ];
    for (const type of ['campaign.published', 'merchant.registered', 'claim', 'redemption', 'refund'] as const) {
      await store.insert(EVENT_TABLES[type], events.filter((e) => e.type === type).map(eventRow));
    }
    const decision = (id: string, eventId: string, decision: string, reasons: string[], shadow = 0) => ({ decisionId: id, eventId, eventType: 'claim', occurredAt: chTime(DROP + 1000), decision, score: 1, reasons, rulesetVersion: shadow ? 'v2' : 'v1', shadow, explanation: '[]' });
    await store.insert('decisions_v1', [
      decision('dec_1', 'evt_1', 'block', ['BOT.CLAIM_LATENCY']),
      decision('dec_2', 'evt_2', 'allow', []),
      decision('dec_3', 'evt_3', 'review', ['BOT.CLAIM_LATENCY', 'BOT.NEW_ACCOUNT']),
      decision('dec_4', 'evt_1', 'block', ['BOT.CLAIM_LATENCY'], 1),
      decision('dec_5', 'evt_2', 'review', ['X'], 1),
    ]);
    await store.insert('flags_v1', [
      { entityType: 'merchant', entityId: 'mch_a', fraudType: 'cash_out', score: 0.8, reasons: ['MODEL.MERCHANT_RISK'], members: [], source: 'forest', createdAt: chTime(DROP) },
      { entityType: 'ring', entityId: 'ring_1', fraudType: 'bot_claiming', score: 0.9, reasons: ['RING.BOT_FARM'], members: ['usr_1', 'usr_2'], source: 'rings', createdAt: chTime(DROP) },
    ]);
    await store.insert('dead_letters_v1', [{ deadLetterId: 'dl_1', receivedAt: chTime(DROP), eventId: '', eventType: 'claim', field: 'occurredAt', reason: 'must be ISO-8601 with offset', raw: '{}', rawBytes: 2, topic: 'quanguard.events.v1', partition: 0, offset: '1' }]);
  }, 120_000);
  afterAll(async () => {
    await store?.dispose();
  });

  it('every panel and variable query runs, time series with a time column first', async () => {
    let ran = 0;
    for (const d of loaded) {
      for (const v of d.templating.list) expect((await run(v.query)).map((r) => r.campaignId)).toEqual(['cmp_other', 'cmp_t']);
      for (const p of d.panels)
        for (const t of p.targets) {
          if (!t.rawSql) continue;
          const rows = await run(t.rawSql);
          ran++;
          if (t.format === 0) {
            expect(rows.length, `${d.uid}/${p.title}`).toBeGreaterThan(0);
            expect(Object.keys(rows[0]!)[0], `${d.uid}/${p.title}`).toBe('time');
          }
          if (p.type === 'stat') expect(rows, `${d.uid}/${p.title}`).toHaveLength(1);
        }
    }
    expect(ran).toBeGreaterThanOrEqual(14);
  });

  it('program panels give the figures the data holds, for all campaigns and for one', async () => {
    expect(await run(panel('quanguard-program', 'Subsidy paid to date (yuan)'))).toEqual([{ subsidy: 130 }]);
    expect(await run(panel('quanguard-program', 'Subsidy paid to date (yuan)'), 'cmp_t')).toEqual([{ subsidy: 100 }]);
    expect(await run(panel('quanguard-program', 'Budget used'), 'cmp_t')).toEqual([{ used: 0.1 }]);
    expect((await run(panel('quanguard-program', 'Budget used')))[0]!.used).toBeCloseTo(13_000 / 150_000, 9);
    expect(await run(panel('quanguard-program', 'Spending driven per yuan of subsidy (leverage)'), 'cmp_t')).toEqual([{ leverage: 4.5 }]);
    expect(await run(panel('quanguard-program', 'Redemption rate (redeemed / claimed)'))).toEqual([{ rate: 0.75 }]);
    expect(await run(panel('quanguard-program', 'Subsidy by district (yuan)'))).toEqual([
      { district: 'ganyu', subsidy: 80, spending: 390 },
      { district: 'haizhou', subsidy: 50, spending: 150 },
    ]);
  });

  it('risk panels count live decisions only and compare the shadow rule set', async () => {
    const outcomes = await run(panel('quanguard-risk', 'Decisions by outcome'));
    expect(outcomes.map((r) => [r.allow, r.review, r.intercept, r.block])).toEqual([[1, 1, 0, 1]]);
    expect(await run(panel('quanguard-risk', 'Most frequent reasons'))).toEqual([
      { reason: 'BOT.CLAIM_LATENCY', events: 2, blocked: 1 },
      { reason: 'BOT.NEW_ACCOUNT', events: 1, blocked: 0 },
    ]);
    expect(await run(panel('quanguard-risk', 'Shadow rule set disagreeing with live'))).toEqual([{ disagreement: 0.5 }]);
    const triage = await run(panel('quanguard-risk', 'Highest-scored flags (triage)'));
    expect(triage.map((r) => [r.entityId, r.members])).toEqual([['ring_1', 2], ['mch_a', 0]]);
    expect(await run(panel('quanguard-risk', 'Dead letters by field'))).toEqual([{ eventType: 'claim', field: 'occurredAt', example_reason: 'must be ISO-8601 with offset', messages: 1 }]);
  });
});
