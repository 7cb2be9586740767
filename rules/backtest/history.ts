// Stored history back into contract events, in time order, for a backtest. Each table is read
// with bound parameters and every row is checked again by the contract schema (parseEvent), so a
// row the contract no longer accepts is reported, not silently replayed.
import { z } from 'zod';
import { parseEvent, type EventType, type QuanguardEvent } from '../../core/events.ts';

export interface HistoryReader {
  query<S extends z.ZodType>(sql: string, params: Record<string, unknown>, row: S): Promise<z.infer<S>[]>;
}

const anyRow = z.record(z.string(), z.unknown());
const TABLES: [EventType, string][] = [
  ['campaign.published', 'campaigns_v1'],
  ['merchant.registered', 'merchants_v1'],
  ['eligibility.granted', 'eligibility_v1'],
  ['price.observed', 'prices_v1'],
  ['claim', 'claims_v1'],
  ['redemption', 'redemptions_v1'],
  ['refund', 'refunds_v1'],
];
// Same-millisecond ties: reference data before the decisions that need it.
const ORDER: Record<string, number> = Object.fromEntries(TABLES.map(([t], i) => [t, i]));

/** '2026-05-01 02:00:00.000' (UTC) → ISO-8601 with offset. */
function iso(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  return v.includes('T') ? v : `${v.replace(' ', 'T')}Z`;
}
const opt = (v: unknown) => (v === '' || v === null ? undefined : v);

export function rowToEvent(type: EventType, r: Record<string, unknown>): unknown {
  const base = { eventId: r.eventId, type, occurredAt: iso(r.occurredAt) };
  switch (type) {
    case 'campaign.published':
      return {
        ...base, campaignId: r.campaignId, name: r.name, startsAt: iso(r.startsAt), endsAt: iso(r.endsAt), budgetFen: Number(r.budgetFen), refundPolicy: r.refundPolicy,
        districts: (r.districts as string[] | undefined)?.length ? r.districts : undefined, batches: JSON.parse(String(r.batchesJson)), limits: JSON.parse(String(r.limitsJson)),
        cardBins: (r.cardBins as string[] | undefined)?.length ? r.cardBins : undefined, geoFence: r.geoFenceJson ? JSON.parse(String(r.geoFenceJson)) : undefined,
      };
    case 'merchant.registered':
      return { ...base, merchantId: r.merchantId, name: r.name, category: r.category, district: r.district, lat: r.lat, lon: r.lon, ownerIdHash: opt(r.ownerIdHash), settlementAccountHash: opt(r.settlementAccountHash), terminalIds: (r.terminalIds as string[] | undefined)?.length ? r.terminalIds : undefined };
    case 'eligibility.granted':
      return { ...base, campaignId: r.campaignId, userId: r.userId, idHash: r.idHash, phoneHash: r.phoneHash };
    case 'price.observed':
      return { ...base, merchantId: r.merchantId, sku: r.sku, name: opt(r.name), priceFen: Number(r.priceFen), source: r.source };
    case 'claim':
      return {
        ...base, claimId: r.claimId, couponId: r.couponId, campaignId: r.campaignId, batchId: r.batchId, couponTypeId: r.couponTypeId, userId: r.userId, idHash: opt(r.idHash), phoneHash: opt(r.phoneHash),
        deviceId: opt(r.deviceId), ip: opt(r.ip), lat: opt(r.lat), lon: opt(r.lon), userAgent: opt(r.userAgent), channel: r.channel, accountCreatedAt: iso(r.accountCreatedAt),
      };
    case 'redemption':
      return {
        ...base, redemptionId: r.redemptionId, couponId: r.couponId, campaignId: r.campaignId, couponTypeId: r.couponTypeId, userId: r.userId, merchantId: r.merchantId, orderId: r.orderId,
        orderFen: Number(r.orderFen), discountFen: Number(r.discountFen), paidFen: Number(r.paidFen), terminalId: opt(r.terminalId), cardBin: opt(r.cardBin), cardHash: opt(r.cardHash),
        deviceId: opt(r.deviceId), ip: opt(r.ip), lat: opt(r.lat), lon: opt(r.lon), items: r.itemsJson ? JSON.parse(String(r.itemsJson)) : undefined,
      };
    case 'refund':
      return { ...base, refundId: r.refundId, orderId: r.orderId, merchantId: r.merchantId, userId: r.userId, refundFen: Number(r.refundFen), couponReturned: Number(r.couponReturned) === 1 };
  }
}

export interface History {
  events: QuanguardEvent[];
  rejected: { table: string; eventId?: string; field: string; reason: string }[];
}

/** Every stored event with occurredAt in [fromMs, toMs) (of `types`, default all), oldest first. */
export async function readHistory(store: HistoryReader, range: { fromMs?: number; toMs?: number; types?: readonly EventType[] } = {}): Promise<History> {
  const events: QuanguardEvent[] = [];
  const rejected: History['rejected'] = [];
  const from = new Date(range.fromMs ?? 0).toISOString().replace('T', ' ').replace('Z', '');
  const to = new Date(range.toMs ?? Date.UTC(2100, 0, 1)).toISOString().replace('T', ' ').replace('Z', '');
  for (const [type, table] of TABLES) {
    if (range.types && !range.types.includes(type)) continue;
    const rows = await store.query(
      `SELECT * FROM {{db}}.${table} FINAL WHERE occurredAt >= {from:DateTime64(3, 'UTC')} AND occurredAt < {to:DateTime64(3, 'UTC')}`,
      { from, to },
      anyRow,
    );
    for (const r of rows) {
      const parsed = parseEvent(JSON.parse(JSON.stringify(rowToEvent(type, r))));
      if (parsed.ok) events.push(parsed.event);
      else rejected.push({ table, eventId: parsed.eventId, ...parsed.problem });
    }
  }
  // Ties broken by type, then eventId: the order the rules replay uses (rules/replay-processor.ts),
  // independent of the order the store returns rows in.
  events.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || ORDER[a.type]! - ORDER[b.type]! || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  return { events, rejected };
}
