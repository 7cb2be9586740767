// Collects contract events into a ModelWindow, one event at a time, so replay can feed the models
// while it streams a file. Duplicate eventIds are ignored (redelivery must change nothing).
// A city replay holds millions of rows here until the models run: the identifiers that repeat
// across rows (users, hashes, devices, IPs, user agents, coupon types, merchants) are kept as one
// string each instead of one copy per parsed event, and each row's eventId sits in a plain array
// beside it (a WeakMap of millions of rows made every full GC walk its ephemerons).
import { epochMs, type QuanguardEvent } from '../core/events.ts';
import { emptyWindow, type ModelWindow } from './window.ts';

export class WindowBuilder {
  private readonly window: ModelWindow = emptyWindow();
  private readonly seen = new Set<string>();
  private readonly couponTypes = new Set<string>();
  private readonly merchantIndex = new Map<string, number>();
  // The eventId of every timed row, at the row's position, so build() can order rows the same way
  // whatever order the bus delivered them in (partitions interleave differently from run to run).
  private readonly ids = { prices: [] as string[], claims: [] as string[], redemptions: [] as string[], refunds: [] as string[] };
  private readonly strings = new Map<string, string>();

  add(e: QuanguardEvent): void {
    if (this.seen.has(e.eventId)) return;
    this.seen.add(e.eventId);
    const id = e.eventId;
    const at = epochMs(e.occurredAt);
    if (at > this.window.endMs) this.window.endMs = at;
    const w = this.window;
    switch (e.type) {
      case 'campaign.published':
        w.campaigns.push({ campaignId: e.campaignId, startsAtMs: epochMs(e.startsAt) });
        for (const b of e.batches) {
          w.batches.push({ batchId: b.batchId, campaignId: e.campaignId, dropAtMs: epochMs(b.dropAt) });
          for (const c of b.coupons) {
            if (this.couponTypes.has(c.couponTypeId)) continue;
            this.couponTypes.add(c.couponTypeId);
            w.couponTypes.push({ couponTypeId: c.couponTypeId, thresholdFen: c.thresholdFen, discountFen: c.discountFen });
          }
        }
        return;
      case 'merchant.registered': {
        const earlier = this.merchantIndex.get(e.merchantId);
        if (earlier !== undefined) {
          // A re-registration (new owner, new settlement account) updates the shop, keeps its age.
          const m = w.merchants[earlier]!;
          Object.assign(m, { category: e.category, district: e.district, lat: e.lat, lon: e.lon, ownerIdHash: e.ownerIdHash, settlementAccountHash: e.settlementAccountHash });
          m.registeredAtMs = Math.min(m.registeredAtMs ?? at, at);
          return;
        }
        this.merchantIndex.set(e.merchantId, w.merchants.length);
        w.merchants.push({
          merchantId: e.merchantId, category: e.category, district: e.district, lat: e.lat, lon: e.lon,
          ownerIdHash: e.ownerIdHash, settlementAccountHash: e.settlementAccountHash, registeredAtMs: at,
        });
        return;
      }
      case 'price.observed':
        w.prices.push({ merchantId: this.one(e.merchantId), sku: this.one(e.sku), priceFen: e.priceFen, source: e.source, atMs: at });
        this.ids.prices.push(id);
        return;
      case 'claim':
        w.claims.push({
          userId: e.userId, atMs: at, batchId: this.one(e.batchId), couponTypeId: this.one(e.couponTypeId), idHash: e.idHash,
          phoneHash: e.phoneHash, deviceId: e.deviceId, ip: e.ip, userAgent: this.maybe(e.userAgent),
          accountCreatedAtMs: e.accountCreatedAt ? epochMs(e.accountCreatedAt) : undefined,
        });
        this.ids.claims.push(id);
        return;
      case 'redemption':
        w.redemptions.push({
          userId: e.userId, merchantId: this.one(e.merchantId), orderId: e.orderId, couponTypeId: this.one(e.couponTypeId), atMs: at,
          orderFen: e.orderFen, discountFen: e.discountFen, cardHash: e.cardHash, deviceId: e.deviceId, ip: e.ip,
          lat: e.lat, lon: e.lon,
        });
        this.ids.redemptions.push(id);
        return;
      case 'refund':
        w.refunds.push({ orderId: e.orderId, merchantId: this.one(e.merchantId), userId: e.userId, atMs: at, refundFen: e.refundFen });
        this.ids.refunds.push(id);
        return;
      case 'eligibility.granted':
        return;
    }
  }

  build(): ModelWindow {
    const w = this.window;
    sortByTimeThenId(w.prices, this.ids.prices);
    sortByTimeThenId(w.claims, this.ids.claims);
    sortByTimeThenId(w.redemptions, this.ids.redemptions);
    sortByTimeThenId(w.refunds, this.ids.refunds);
    return w;
  }

  /** The one copy of a repeated identifier. */
  private one<T extends string>(v: T): T {
    const have = this.strings.get(v);
    if (have !== undefined) return have as T;
    this.strings.set(v, v);
    return v;
  }

  private maybe(v: string | undefined): string | undefined {
    return v === undefined ? v : this.one(v);
  }
}

/** Rows by time, then eventId; `ids` (the rows' eventIds, same positions) is reordered with them. */
function sortByTimeThenId<T extends { atMs: number }>(rows: T[], ids: string[]): void {
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = rows[i - 1]!.atMs < rows[i]!.atMs || (rows[i - 1]!.atMs === rows[i]!.atMs && ids[i - 1]! <= ids[i]!);
  if (sorted) return;
  const order = Array.from(rows.keys()).sort((a, b) => rows[a]!.atMs - rows[b]!.atMs || compareIds(ids[a]!, ids[b]!));
  const r = order.map((i) => rows[i]!);
  const d = order.map((i) => ids[i]!);
  for (let i = 0; i < order.length; i++) {
    rows[i] = r[i]!;
    ids[i] = d[i]!;
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function windowFromEvents(events: Iterable<QuanguardEvent>): ModelWindow {
  const b = new WindowBuilder();
  for (const e of events) b.add(e);
  return b.build();
}
