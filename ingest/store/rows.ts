// Maps contract events to the rows of their versioned tables (ingest/migrations). Optional
// strings become '' and optional numbers NULL, matching the column types.
import type { EventType, QuanguardEvent } from '../../core/events.ts';
import { chTimeFromIso } from './time.ts';

export const EVENT_TABLES: Record<EventType, string> = {
  'campaign.published': 'campaigns_v1',
  'merchant.registered': 'merchants_v1',
  'eligibility.granted': 'eligibility_v1',
  'price.observed': 'prices_v1',
  claim: 'claims_v1',
  redemption: 'redemptions_v1',
  refund: 'refunds_v1',
};

export const DEAD_LETTERS_TABLE = 'dead_letters_v1';

export type Row = Record<string, unknown>;

/**
 * Rows as value arrays under one column list, for store.insert: a batch is then serialised by one
 * JSON.stringify of the whole array, with no row object or line per row (ingest/README.md: on a
 * 50k-event batch those were most of the ingester's garbage). An array, so `length` and indexing
 * work as for object rows.
 */
export type RowValues = readonly (readonly unknown[])[] & { readonly columns: readonly string[] };

export function rowValues(columns: readonly string[], values: (readonly unknown[])[]): RowValues {
  return Object.assign(values, { columns });
}

/** The columns eventValues writes, in its order: the same names and values as eventRow. */
export const EVENT_COLUMNS = {
  claims_v1: ['eventId', 'occurredAt', 'claimId', 'couponId', 'campaignId', 'batchId', 'couponTypeId', 'userId', 'idHash', 'phoneHash', 'deviceId', 'ip', 'lat', 'lon', 'userAgent', 'channel', 'accountCreatedAt'],
  redemptions_v1: ['eventId', 'occurredAt', 'redemptionId', 'couponId', 'campaignId', 'couponTypeId', 'userId', 'merchantId', 'orderId', 'orderFen', 'discountFen', 'paidFen', 'terminalId', 'cardBin', 'cardHash', 'deviceId', 'ip', 'lat', 'lon', 'itemsJson'],
  refunds_v1: ['eventId', 'occurredAt', 'refundId', 'orderId', 'merchantId', 'userId', 'refundFen', 'couponReturned'],
} as const satisfies Record<string, readonly string[]>;

/**
 * eventRow as an array in EVENT_COLUMNS order, for the three high-volume types (claims,
 * redemptions, refunds: ~99% of the stream); undefined for the others, which use eventRow.
 * rows.test.ts checks it against eventRow.
 */
export function eventValues(e: QuanguardEvent): unknown[] | undefined {
  switch (e.type) {
    case 'claim':
      return [e.eventId, chTimeFromIso(e.occurredAt), e.claimId, e.couponId, e.campaignId, e.batchId, e.couponTypeId, e.userId, e.idHash ?? '', e.phoneHash ?? '', e.deviceId ?? '', e.ip ?? '', e.lat ?? null, e.lon ?? null, e.userAgent ?? '', e.channel, e.accountCreatedAt ? chTimeFromIso(e.accountCreatedAt) : null];
    case 'redemption':
      return [e.eventId, chTimeFromIso(e.occurredAt), e.redemptionId, e.couponId, e.campaignId, e.couponTypeId, e.userId, e.merchantId, e.orderId, e.orderFen, e.discountFen, e.paidFen, e.terminalId ?? '', e.cardBin ?? '', e.cardHash ?? '', e.deviceId ?? '', e.ip ?? '', e.lat ?? null, e.lon ?? null, e.items ? JSON.stringify(e.items) : ''];
    case 'refund':
      return [e.eventId, chTimeFromIso(e.occurredAt), e.refundId, e.orderId, e.merchantId, e.userId, e.refundFen, e.couponReturned ? 1 : 0];
    default:
      return undefined;
  }
}

export function eventRow(e: QuanguardEvent): Row {
  // Plain object literals, no spread: this runs once per stored event and spread helpers cost
  // several times the rest of the mapping.
  const eventId = e.eventId;
  const occurredAt = chTimeFromIso(e.occurredAt);
  switch (e.type) {
    case 'claim':
      return {
        eventId,
        occurredAt,
        claimId: e.claimId,
        couponId: e.couponId,
        campaignId: e.campaignId,
        batchId: e.batchId,
        couponTypeId: e.couponTypeId,
        userId: e.userId,
        idHash: e.idHash ?? '',
        phoneHash: e.phoneHash ?? '',
        deviceId: e.deviceId ?? '',
        ip: e.ip ?? '',
        lat: e.lat ?? null,
        lon: e.lon ?? null,
        userAgent: e.userAgent ?? '',
        channel: e.channel,
        accountCreatedAt: e.accountCreatedAt ? chTimeFromIso(e.accountCreatedAt) : null,
      };
    case 'redemption':
      return {
        eventId,
        occurredAt,
        redemptionId: e.redemptionId,
        couponId: e.couponId,
        campaignId: e.campaignId,
        couponTypeId: e.couponTypeId,
        userId: e.userId,
        merchantId: e.merchantId,
        orderId: e.orderId,
        orderFen: e.orderFen,
        discountFen: e.discountFen,
        paidFen: e.paidFen,
        terminalId: e.terminalId ?? '',
        cardBin: e.cardBin ?? '',
        cardHash: e.cardHash ?? '',
        deviceId: e.deviceId ?? '',
        ip: e.ip ?? '',
        lat: e.lat ?? null,
        lon: e.lon ?? null,
        itemsJson: e.items ? JSON.stringify(e.items) : '',
      };
    case 'refund':
      return { eventId, occurredAt, refundId: e.refundId, orderId: e.orderId, merchantId: e.merchantId, userId: e.userId, refundFen: e.refundFen, couponReturned: e.couponReturned ? 1 : 0 };
    case 'merchant.registered':
      return {
        eventId,
        occurredAt,
        merchantId: e.merchantId,
        name: e.name,
        category: e.category,
        district: e.district,
        lat: e.lat,
        lon: e.lon,
        ownerIdHash: e.ownerIdHash ?? '',
        settlementAccountHash: e.settlementAccountHash ?? '',
        terminalIds: e.terminalIds ?? [],
      };
    case 'eligibility.granted':
      return { eventId, occurredAt, campaignId: e.campaignId, userId: e.userId, idHash: e.idHash, phoneHash: e.phoneHash };
    case 'price.observed':
      return { eventId, occurredAt, merchantId: e.merchantId, sku: e.sku, name: e.name ?? '', priceFen: e.priceFen, source: e.source };
    case 'campaign.published':
      return {
        eventId,
        occurredAt,
        campaignId: e.campaignId,
        name: e.name,
        startsAt: chTimeFromIso(e.startsAt),
        endsAt: chTimeFromIso(e.endsAt),
        budgetFen: e.budgetFen,
        refundPolicy: e.refundPolicy,
        districts: e.districts ?? [],
        batchesJson: JSON.stringify(e.batches),
        limitsJson: JSON.stringify(e.limits),
        cardBins: e.cardBins ?? [],
        geoFenceJson: e.geoFence ? JSON.stringify(e.geoFence) : '',
      };
  }
}
