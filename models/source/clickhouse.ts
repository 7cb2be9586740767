// Reads the models' window from the analytics store. Every query binds its parameters and every
// row is checked; times come back as epoch ms so nothing depends on a time format.
// FINAL collapses rows stored twice (ReplacingMergeTree on eventId), which a redelivery can leave.
// Claims and redemptions (the bulk of a window: ~770k rows for a 1M-edge graph) come as
// JSONCompactEachRowWithNamesAndTypes, streamed: rows as arrays parse in about half the time of
// objects, and the column names and ClickHouse types in the two header lines are checked once
// with zod instead of every value of every row (ClickHouse already typed each value; zod per row
// cost ~4 CPU-s of a ~10 CPU-s read). The small reads keep the store's zod-per-row query.
import { z } from 'zod';
import { batchSchema, CATEGORIES, DISTRICTS } from '../../core/events.ts';
import type { AnalyticsStore, QueryParams } from '../../ingest/store/analytics-store.ts';
import { QUERY_SETTINGS } from '../../ingest/store/settings.ts';
import type { ClaimRow, ModelWindow, RedemptionRow } from '../window.ts';

export type WindowStore = Pick<AnalyticsStore, 'query' | 'client' | 'database'>;

const DAY = 86_400_000;
const ms = z.coerce.number().int();
const optionalString = z.string().transform((s) => (s === '' ? undefined : s));
const optionalMs = z.union([z.null(), ms]).transform((v) => (v === null ? undefined : v));

const RANGE = 'occurredAt >= fromUnixTimestamp64Milli({fromMs:Int64}, \'UTC\') AND occurredAt < fromUnixTimestamp64Milli({toMs:Int64}, \'UTC\')';

/** Column name → ClickHouse type, in SELECT order: what the header lines of a compact read must say. */
const CLAIM_COLUMNS = {
  userId: 'String', atMs: 'Int64', batchId: 'String', couponTypeId: 'String', idHash: 'String', phoneHash: 'String', deviceId: 'String',
  ip: 'String', userAgent: 'String', accountCreatedAtMs: 'Nullable(Int64)',
} as const;
const REDEMPTION_COLUMNS = {
  userId: 'String', merchantId: 'String', orderId: 'String', couponTypeId: 'String', atMs: 'Int64', orderFen: 'UInt64', discountFen: 'UInt64',
  cardHash: 'String', deviceId: 'String', ip: 'String', lat: 'Nullable(Float64)', lon: 'Nullable(Float64)',
} as const;

const opt = (s: string) => (s === '' ? undefined : s);
const optNum = (v: number | null) => (v === null ? undefined : v);

/** Claims as the in-memory builder makes them: '' and NULL mean absent. */
function claimOf(r: unknown[]): ClaimRow {
  return {
    userId: r[0] as string, atMs: r[1] as number, batchId: r[2] as string, couponTypeId: r[3] as string,
    idHash: opt(r[4] as string), phoneHash: opt(r[5] as string), deviceId: opt(r[6] as string), ip: opt(r[7] as string), userAgent: opt(r[8] as string),
    accountCreatedAtMs: optNum(r[9] as number | null),
  };
}

function redemptionOf(r: unknown[]): RedemptionRow {
  return {
    userId: r[0] as string, merchantId: r[1] as string, orderId: r[2] as string, couponTypeId: r[3] as string, atMs: r[4] as number,
    orderFen: r[5] as number, discountFen: r[6] as number, cardHash: opt(r[7] as string), deviceId: opt(r[8] as string), ip: opt(r[9] as string),
    lat: optNum(r[10] as number | null), lon: optNum(r[11] as number | null),
  };
}

/**
 * Runs a SELECT whose columns must be exactly `columns` (names and ClickHouse types, checked on the
 * header lines), streaming its rows through `make`. 64-bit integers come as JSON numbers
 * (QUERY_SETTINGS, passed on every call: chdb keeps settings on its session).
 */
async function compactRows<T>(store: WindowStore, sql: string, params: QueryParams, columns: Record<string, string>, make: (row: unknown[]) => T): Promise<T[]> {
  const names = Object.keys(columns), types = Object.values(columns);
  const header = z.tuple([z.tuple(names.map((n) => z.literal(n)) as [z.ZodLiteral<string>]), z.tuple(types.map((t) => z.literal(t)) as [z.ZodLiteral<string>])]);
  const rs = await store.client.query({
    query: sql.replaceAll('{{db}}', store.database), query_params: params, format: 'JSONCompactEachRowWithNamesAndTypes', clickhouse_settings: { ...QUERY_SETTINGS },
  });
  const out: T[] = [];
  const head: unknown[] = [];
  for await (const rows of rs.stream()) {
    for (const row of rows) {
      const r = row.json<unknown[]>();
      if (head.length < 2) {
        head.push(r);
        if (head.length === 2) {
          const checked = header.safeParse(head);
          if (!checked.success) throw new Error(`models/source: a window query's columns are not the expected names and types: ${JSON.stringify(head).slice(0, 400)}`);
        }
        continue;
      }
      if (!Array.isArray(r) || r.length !== names.length) throw new Error(`models/source: row ${out.length} of a window query has ${Array.isArray(r) ? r.length : 'no'} columns, expected ${names.length}`);
      out.push(make(r));
    }
  }
  return out;
}

const refundRow = z.object({ orderId: z.string(), merchantId: z.string(), userId: z.string(), atMs: ms, refundFen: z.number().int().nonnegative() });
const merchantRow = z.object({
  merchantId: z.string(), category: z.enum(CATEGORIES), district: z.enum(DISTRICTS), lat: z.number(), lon: z.number(),
  ownerIdHash: optionalString, settlementAccountHash: optionalString, registeredAtMs: ms,
});
const priceRow = z.object({ merchantId: z.string(), sku: z.string(), priceFen: z.number().int().nonnegative(), source: z.enum(['baseline', 'menu', 'pos']), atMs: ms });
const campaignRow = z.object({ campaignId: z.string(), startsAtMs: ms, batchesJson: z.string() });

export interface WindowQuery {
  fromMs: number;
  toMs: number;
  /** Prices are read from this many days before the earliest campaign start (the baseline period). */
  priceLookbackDays?: number;
}

export async function loadWindow(store: WindowStore, q: WindowQuery): Promise<ModelWindow> {
  if (!(Number.isSafeInteger(q.fromMs) && Number.isSafeInteger(q.toMs) && q.fromMs < q.toMs))
    throw new Error(`models/source: window needs integer fromMs < toMs, got ${q.fromMs}..${q.toMs}`);
  const range = { fromMs: q.fromMs, toMs: q.toMs };
  const campaigns = await store.query(
    `SELECT campaignId, toUnixTimestamp64Milli(argMax(startsAt, occurredAt)) AS startsAtMs, argMax(batchesJson, occurredAt) AS batchesJson
     FROM {{db}}.campaigns_v1 FINAL WHERE occurredAt < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC') GROUP BY campaignId ORDER BY campaignId`,
    { toMs: q.toMs },
    campaignRow,
  );
  const earliestStart = campaigns.length ? Math.min(...campaigns.map((c) => c.startsAtMs)) : q.fromMs;
  const priceFrom = Math.min(q.fromMs, earliestStart - (q.priceLookbackDays ?? 7) * DAY);

  const [claims, redemptions, refunds, merchants, prices] = await Promise.all([
    compactRows(
      store,
      `SELECT userId, toUnixTimestamp64Milli(occurredAt) AS atMs, batchId, couponTypeId, idHash, phoneHash, deviceId, ip, userAgent,
              if(isNull(accountCreatedAt), NULL, toUnixTimestamp64Milli(assumeNotNull(accountCreatedAt))) AS accountCreatedAtMs
       FROM {{db}}.claims_v1 FINAL WHERE ${RANGE} ORDER BY occurredAt, eventId`,
      range,
      CLAIM_COLUMNS,
      claimOf,
    ),
    compactRows(
      store,
      `SELECT userId, merchantId, orderId, couponTypeId, toUnixTimestamp64Milli(occurredAt) AS atMs, orderFen, discountFen, cardHash, deviceId, ip, lat, lon
       FROM {{db}}.redemptions_v1 FINAL WHERE ${RANGE} ORDER BY occurredAt, eventId`,
      range,
      REDEMPTION_COLUMNS,
      redemptionOf,
    ),
    store.query(
      `SELECT orderId, merchantId, userId, toUnixTimestamp64Milli(occurredAt) AS atMs, refundFen FROM {{db}}.refunds_v1 FINAL WHERE ${RANGE} ORDER BY occurredAt, eventId`,
      range,
      refundRow,
    ),
    store.query(
      `SELECT merchantId, argMax(category, occurredAt) AS category, argMax(district, occurredAt) AS district, argMax(lat, occurredAt) AS lat,
              argMax(lon, occurredAt) AS lon, argMax(ownerIdHash, occurredAt) AS ownerIdHash, argMax(settlementAccountHash, occurredAt) AS settlementAccountHash,
              toUnixTimestamp64Milli(min(occurredAt)) AS registeredAtMs
       FROM {{db}}.merchants_v1 FINAL WHERE occurredAt < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC') GROUP BY merchantId ORDER BY merchantId`,
      { toMs: q.toMs },
      merchantRow,
    ),
    store.query(
      `SELECT merchantId, sku, priceFen, source, toUnixTimestamp64Milli(occurredAt) AS atMs FROM {{db}}.prices_v1 FINAL WHERE ${RANGE} ORDER BY occurredAt, eventId`,
      { fromMs: priceFrom, toMs: q.toMs },
      priceRow,
    ),
  ]);

  const window: ModelWindow = { endMs: q.toMs, claims, redemptions, refunds, merchants, prices, couponTypes: [], batches: [], campaigns: [] };
  const seenTypes = new Set<string>();
  for (const c of campaigns) {
    window.campaigns.push({ campaignId: c.campaignId, startsAtMs: c.startsAtMs });
    const batches = z.array(batchSchema).safeParse(JSON.parse(c.batchesJson));
    if (!batches.success) throw new Error(`models/source: campaign ${c.campaignId} has batchesJson that is not the contract's batch list`);
    for (const b of batches.data) {
      window.batches.push({ batchId: b.batchId, campaignId: c.campaignId, dropAtMs: Date.parse(b.dropAt) });
      for (const t of b.coupons) {
        if (seenTypes.has(t.couponTypeId)) continue;
        seenTypes.add(t.couponTypeId);
        window.couponTypes.push({ couponTypeId: t.couponTypeId, thresholdFen: t.thresholdFen, discountFen: t.discountFen });
      }
    }
  }
  return window;
}
