// Grafana dashboards as code. `node bin/run-ts.js dashboards/build.ts` writes them to
// dashboards/json/, which Grafana loads through dashboards/provisioning/ (see README.md here);
// a test keeps the JSON in step with this file and runs every panel's SQL against the real
// schema. ClickHouse panels read the tables the engine writes (database `quanguard`, the default
// CLICKHOUSE_DATABASE); engine-health panels read the Prometheus series of GET /metrics.
//
// Grafana's ClickHouse plugin (grafana-clickhouse-datasource, v4) expands the macros used here:
// $__timeFilter(col), $__dateFilter(col), $__timeInterval(col). A CST calendar day is what the
// bureau counts, so day-level panels read the rollup's `day` column.

export const CLICKHOUSE = { type: 'grafana-clickhouse-datasource', uid: 'quanguard-clickhouse' } as const;
export const PROMETHEUS = { type: 'prometheus', uid: 'quanguard-prometheus' } as const;
export const DATABASE = 'quanguard';

type Datasource = typeof CLICKHOUSE | typeof PROMETHEUS;
type PanelType = 'timeseries' | 'stat' | 'table' | 'barchart' | 'piechart';

export interface PanelSpec {
  title: string;
  type: PanelType;
  description?: string;
  /** ClickHouse SQL (format: time series or table) or a PromQL expression. */
  sql?: string;
  format?: 'time_series' | 'table';
  promql?: Array<{ expr: string; legend: string }>;
  unit?: string;
  w?: number;
  h?: number;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  time: { from: string; to: string };
  /** A campaign picker (ClickHouse dashboards): SQL uses ${campaign:sqlstring}, '__all' meaning all. */
  campaignVariable?: boolean;
  panels: PanelSpec[];
}

/** The campaign picker's "All" is the sentinel '__all' (a custom all value: no list expansion). */
export const ALL_CAMPAIGNS = '__all';
const campaignFilter = `(\${campaign:sqlstring} = '${ALL_CAMPAIGNS}' OR campaignId = \${campaign:sqlstring})`;
const db = (table: string) => `${DATABASE}.${table}`;

export const DASHBOARDS: DashboardSpec[] = [
  {
    uid: 'quanguard-program',
    title: 'Coupon program (bureau)',
    description: 'What the program did, by CST day, district and category: claims, redemptions, the spending they drove and the subsidy paid, against the budget. Money in yuan (fen / 100).',
    tags: ['quanguard', 'bureau'],
    time: { from: 'now-30d', to: 'now' },
    campaignVariable: true,
    panels: [
      {
        title: 'Subsidy paid to date (yuan)', type: 'stat', unit: 'currencyCNY', w: 6,
        sql: `SELECT sum(discountFen) / 100 AS subsidy FROM ${db('daily_rollup_v1')} WHERE $__dateFilter(day) AND ${campaignFilter}`, format: 'table',
      },
      {
        title: 'Spending driven per yuan of subsidy (leverage)', type: 'stat', w: 6,
        description: 'orderFen / discountFen over the selected days',
        sql: `SELECT round(sum(orderFen) / nullIf(sum(discountFen), 0), 2) AS leverage FROM ${db('daily_rollup_v1')} WHERE $__dateFilter(day) AND ${campaignFilter}`, format: 'table',
      },
      {
        title: 'Budget used', type: 'stat', unit: 'percentunit', w: 6,
        sql: `SELECT sum(r.discountFen) / nullIf((SELECT sum(b) FROM (SELECT argMax(budgetFen, occurredAt) AS b FROM ${db('campaigns_v1')} WHERE ${campaignFilter} GROUP BY campaignId)), 0) AS used FROM ${db('daily_rollup_v1')} AS r WHERE ${campaignFilter.replaceAll('campaignId', 'r.campaignId')}`, format: 'table',
      },
      {
        title: 'Redemption rate (redeemed / claimed)', type: 'stat', unit: 'percentunit', w: 6,
        sql: `SELECT sum(redemptions) / nullIf(sum(claims), 0) AS rate FROM ${db('daily_rollup_v1')} WHERE $__dateFilter(day) AND ${campaignFilter}`, format: 'table',
      },
      {
        title: 'Claims and redemptions per day', type: 'timeseries', w: 12,
        sql: `SELECT toDateTime(day, 'Asia/Shanghai') AS time, sum(claims) AS claims, sum(redemptions) AS redemptions FROM ${db('daily_rollup_v1')} WHERE $__dateFilter(day) AND ${campaignFilter} GROUP BY time ORDER BY time`, format: 'time_series',
      },
      {
        title: 'Spending and subsidy per day (yuan)', type: 'timeseries', unit: 'currencyCNY', w: 12,
        sql: `SELECT toDateTime(day, 'Asia/Shanghai') AS time, sum(orderFen) / 100 AS spending, sum(discountFen) / 100 AS subsidy FROM ${db('daily_rollup_v1')} WHERE $__dateFilter(day) AND ${campaignFilter} GROUP BY time ORDER BY time`, format: 'time_series',
      },
      {
        title: 'Subsidy by district (yuan)', type: 'barchart', unit: 'currencyCNY', w: 12,
        sql: `SELECT district, sum(discountFen) / 100 AS subsidy, sum(orderFen) / 100 AS spending FROM ${db('daily_rollup_v1')} WHERE $__dateFilter(day) AND ${campaignFilter} AND district != '' GROUP BY district ORDER BY subsidy DESC`, format: 'table',
      },
      {
        title: 'Redemptions by category', type: 'piechart', w: 12,
        sql: `SELECT category, sum(redemptions) AS redemptions FROM ${db('daily_rollup_v1')} WHERE $__dateFilter(day) AND ${campaignFilter} AND category != '' GROUP BY category ORDER BY redemptions DESC`, format: 'table',
      },
      {
        title: 'Refunds per day', type: 'timeseries', w: 24, h: 7,
        sql: `SELECT toDateTime(day, 'Asia/Shanghai') AS time, sum(refunds) AS refunds, sum(refundFen) / 100 AS refunded_yuan FROM ${db('daily_rollup_v1')} WHERE $__dateFilter(day) AND ${campaignFilter} GROUP BY time ORDER BY time`, format: 'time_series',
      },
    ],
  },
  {
    uid: 'quanguard-risk',
    title: 'Risk operations (analysts)',
    description: 'What the rules and models decided and flagged: decisions by outcome, the reasons behind them, standing flags by fraud type, shadow rule sets, dead letters. No personal data: ids are the engine\'s account and merchant ids.',
    tags: ['quanguard', 'risk'],
    time: { from: 'now-7d', to: 'now' },
    panels: [
      {
        title: 'Decisions by outcome', type: 'timeseries', w: 12,
        sql: `SELECT $__timeInterval(occurredAt) AS time, countIf(decision = 'allow') AS allow, countIf(decision = 'review') AS review, countIf(decision = 'intercept') AS intercept, countIf(decision = 'block') AS block FROM ${db('decisions_v1')} WHERE $__timeFilter(occurredAt) AND shadow = 0 GROUP BY time ORDER BY time`, format: 'time_series',
      },
      {
        title: 'Share of events not allowed', type: 'stat', unit: 'percentunit', w: 6,
        sql: `SELECT countIf(decision != 'allow') / nullIf(count(), 0) AS share FROM ${db('decisions_v1')} WHERE $__timeFilter(occurredAt) AND shadow = 0`, format: 'table',
      },
      {
        title: 'Shadow rule set disagreeing with live', type: 'stat', unit: 'percentunit', w: 6,
        description: 'Events both the live and a shadow rule set decided, where the outcomes differ',
        sql: `SELECT countIf(liveDecision != shadowDecision) / nullIf(count(), 0) AS disagreement FROM (SELECT eventId, anyIf(decision, shadow = 0) AS liveDecision, anyIf(decision, shadow = 1) AS shadowDecision FROM ${db('decisions_v1')} WHERE $__timeFilter(occurredAt) GROUP BY eventId HAVING countIf(shadow = 0) > 0 AND countIf(shadow = 1) > 0)`, format: 'table',
      },
      {
        title: 'Most frequent reasons', type: 'table', w: 12,
        sql: `SELECT reason, count() AS events, countIf(decision = 'block') AS blocked FROM ${db('decisions_v1')} ARRAY JOIN reasons AS reason WHERE $__timeFilter(occurredAt) AND shadow = 0 GROUP BY reason ORDER BY events DESC LIMIT 20`, format: 'table',
      },
      {
        title: 'Standing flags by fraud type', type: 'barchart', w: 12,
        sql: `SELECT fraudType, countIf(entityType = 'merchant') AS merchants, countIf(entityType != 'merchant') AS accounts_and_rings FROM ${db('flags_v1')} FINAL GROUP BY fraudType ORDER BY fraudType`, format: 'table',
      },
      {
        title: 'Highest-scored flags (triage)', type: 'table', w: 24, h: 10,
        sql: `SELECT fraudType, entityType, entityId, round(score, 3) AS score, arrayStringConcat(reasons, ', ') AS reasons, length(members) AS members, source, createdAt FROM ${db('flags_v1')} FINAL ORDER BY score DESC, createdAt DESC LIMIT 100`, format: 'table',
      },
      {
        title: 'Dead letters by field', type: 'table', w: 24, h: 7,
        sql: `SELECT eventType, field, any(reason) AS example_reason, count() AS messages FROM ${db('dead_letters_v1')} WHERE $__timeFilter(receivedAt) GROUP BY eventType, field ORDER BY messages DESC LIMIT 50`, format: 'table',
      },
    ],
  },
  {
    uid: 'quanguard-engine',
    title: 'Engine health (operators)',
    description: 'Ingest throughput, batches, lag and dead letters from GET /metrics (Prometheus scrapes it).',
    tags: ['quanguard', 'operations'],
    time: { from: 'now-6h', to: 'now' },
    panels: [
      { title: 'Events in per second', type: 'timeseries', unit: 'ops', w: 12, promql: [{ expr: 'sum by (type, outcome) (rate(quanguard_ingest_events_total[1m]))', legend: '{{type}} {{outcome}}' }] },
      { title: 'Consumer lag (messages)', type: 'timeseries', w: 12, promql: [{ expr: 'max(quanguard_ingest_consumer_lag)', legend: 'lag' }] },
      { title: 'Batch time p50 / p99 (s)', type: 'timeseries', unit: 's', w: 12, promql: [
        { expr: 'histogram_quantile(0.5, sum by (le) (rate(quanguard_ingest_batch_seconds_bucket[5m])))', legend: 'p50' },
        { expr: 'histogram_quantile(0.99, sum by (le) (rate(quanguard_ingest_batch_seconds_bucket[5m])))', legend: 'p99' },
      ] },
      { title: 'Batches failed per minute', type: 'timeseries', w: 12, promql: [{ expr: 'sum(rate(quanguard_ingest_batches_total{result="failed"}[5m])) * 60', legend: 'failed' }] },
      { title: 'Dead letters per minute by field', type: 'timeseries', w: 12, promql: [{ expr: 'sum by (field) (rate(quanguard_ingest_dead_letters_total[5m])) * 60', legend: '{{field}}' }] },
      { title: 'Messages per batch (mean)', type: 'timeseries', w: 12, promql: [{ expr: 'rate(quanguard_ingest_batch_size_sum[5m]) / rate(quanguard_ingest_batch_size_count[5m])', legend: 'mean' }] },
    ],
  },
];

/** The Grafana dashboard JSON (schemaVersion 39) for one spec, panels laid out in rows of 24. */
export function toGrafana(spec: DashboardSpec): Record<string, unknown> {
  let x = 0, y = 0, rowH = 0;
  const panels = spec.panels.map((p, i) => {
    const w = p.w ?? 12, h = p.h ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    rowH = Math.max(rowH, h);
    const datasource: Datasource = p.promql ? PROMETHEUS : CLICKHOUSE;
    const targets = p.promql
      ? p.promql.map((q, j) => ({ refId: String.fromCharCode(65 + j), datasource, expr: q.expr, legendFormat: q.legend }))
      : [{ refId: 'A', datasource, editorType: 'sql', queryType: p.format === 'time_series' ? 'timeseries' : 'table', format: p.format === 'time_series' ? 0 : 1, rawSql: p.sql }];
    return {
      id: i + 1,
      type: p.type,
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource,
      gridPos,
      fieldConfig: { defaults: p.unit ? { unit: p.unit } : {}, overrides: [] },
      options: {},
      targets,
    };
  });
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    timezone: 'Asia/Shanghai',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '1m',
    time: spec.time,
    templating: {
      list: spec.campaignVariable
        ? [{
            name: 'campaign', label: 'Campaign', type: 'query', datasource: CLICKHOUSE,
            query: `SELECT DISTINCT campaignId FROM ${db('campaigns_v1')} ORDER BY campaignId`,
            includeAll: true, allValue: ALL_CAMPAIGNS, multi: false, refresh: 1,
            current: { text: 'All', value: '$__all' },
          }]
        : [],
    },
    panels,
  };
}
