// Collects contract events into a ModelWindow, one event at a time, so replay can feed the models
// while it streams a file. Duplicate eventIds are ignored (redelivery must change nothing).
import { epochMs, type QuanguardEvent } from '../core/events.ts';
import { emptyWindow, type ModelWindow } from './window.ts';

export class WindowBuilder {
  private readonly window: ModelWindow = emptyWindow();
  private readonly seen = new Set<string>();
  private readonly couponTypes = new Set<string>();
  private readonly merchantIndex = new Map<string, number>();
  // The eventId of every timed row, so build() can order rows the same way whatever order the bus
  // delivered them in (partitions interleave differently from run to run).
  private readonly idOf = new WeakMap<object, string>();
  private lastId = '';

  add(e: QuanguardEvent): void {
    if (this.seen.has(e.eventId)) return;
    this.seen.add(e.eventId);
    this.lastId = e.eventId;
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
        w.prices.push(this.timed({ merchantId: e.merchantId, sku: e.sku, priceFen: e.priceFen, source: e.source, atMs: at }));
        return;
      case 'claim':
        w.claims.push(this.timed({
          userId: e.userId, atMs: at, batchId: e.batchId, couponTypeId: e.couponTypeId, idHash: e.idHash, phoneHash: e.phoneHash,
          deviceId: e.deviceId, ip: e.ip, userAgent: e.userAgent,
          accountCreatedAtMs: e.accountCreatedAt ? epochMs(e.accountCreatedAt) : undefined,
        }));
        return;
      case 'redemption':
        w.redemptions.push(this.timed({
          userId: e.userId, merchantId: e.merchantId, orderId: e.orderId, couponTypeId: e.couponTypeId, atMs: at,
          orderFen: e.orderFen, discountFen: e.discountFen, cardHash: e.cardHash, deviceId: e.deviceId, ip: e.ip, lat: e.lat, lon: e.lon,
        }));
        return;
      case 'refund':
        w.refunds.push(this.timed({ orderId: e.orderId, merchantId: e.merchantId, userId: e.userId, atMs: at, refundFen: e.refundFen }));
        return;
      case 'eligibility.granted':
        return;
    }
  }

  build(): ModelWindow {
    const w = this.window;
    for (const rows of [w.prices, w.claims, w.redemptions, w.refunds] as { atMs: number }[][]) {
      rows.sort((a, b) => a.atMs - b.atMs || compareIds(this.idOf.get(a) ?? '', this.idOf.get(b) ?? ''));
    }
    return w;
  }

  private timed<T extends { atMs: number }>(row: T): T {
    this.idOf.set(row, this.lastId);
    return row;
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
