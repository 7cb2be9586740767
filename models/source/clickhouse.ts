// Reads the models' window from the analytics store. Every query binds its parameters and every
// row is parsed by a zod schema; times come back as epoch ms so nothing depends on a time format.
// FINAL collapses rows stored twice (ReplacingMergeTree on eventId), which a redelivery can leave.
import { z } from 'zod';
import { batchSchema, CATEGORIES, DISTRICTS } from '../../core/events.ts';
import type { AnalyticsStore } from '../../ingest/store/analytics-store.ts';
import type { ModelWindow } from '../window.ts';

export type WindowStore = Pick<AnalyticsStore, 'query'>;

const DAY = 86_400_000;
const ms = z.coerce.number().int();
const optionalString = z.string().transform((s) => (s === '' ? undefined : s));
const optionalMs = z.union([z.null(), ms]).transform((v) => (v === null ? undefined : v));
const optionalNumber = z.union([z.null(), z.number()]).transform((v) => (v === null ? undefined : v));

const RANGE = 'occurredAt >= fromUnixTimestamp64Milli({fromMs:Int64}, \'UTC\') AND occurredAt < fromUnixTimestamp64Milli({toMs:Int64}, \'UTC\')';

const claimRow = z.object({
  userId: z.string(), atMs: ms, batchId: z.string(), couponTypeId: z.string(),
  idHash: optionalString, phoneHash: optionalString, deviceId: optionalString, ip: optionalString, userAgent: optionalString,
  accountCreatedAtMs: optionalMs,
});
const redemptionRow = z.object({
  userId: z.string(), merchantId: z.string(), orderId: z.string(), couponTypeId: z.string(), atMs: ms,
  orderFen: z.number().int().nonnegative(), discountFen: z.number().int().nonnegative(),
  cardHash: optionalString, deviceId: optionalString, ip: optionalString, lat: optionalNumber, lon: optionalNumber,
});
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
    store.query(
      `SELECT userId, toUnixTimestamp64Milli(occurredAt) AS atMs, batchId, couponTypeId, idHash, phoneHash, deviceId, ip, userAgent,
              if(isNull(accountCreatedAt), NULL, toUnixTimestamp64Milli(assumeNotNull(accountCreatedAt))) AS accountCreatedAtMs
       FROM {{db}}.claims_v1 FINAL WHERE ${RANGE} ORDER BY occurredAt, eventId`,
      range,
      claimRow,
    ),
    store.query(
      `SELECT userId, merchantId, orderId, couponTypeId, toUnixTimestamp64Milli(occurredAt) AS atMs, orderFen, discountFen, cardHash, deviceId, ip, lat, lon
       FROM {{db}}.redemptions_v1 FINAL WHERE ${RANGE} ORDER BY occurredAt, eventId`,
      range,
      redemptionRow,
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
