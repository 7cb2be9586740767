// Small builders of contract events for rule and engine tests.
import type { CampaignPublished, Claim, MerchantRegistered, PriceObserved, Redemption, Refund } from '../../core/events.ts';
import { toCstIso } from '../../core/clock.ts';

export const DROP = Date.parse('2026-05-01T10:00:00.000+08:00');
export const at = (ms: number): string => toCstIso(ms);
let n = 0;
const next = (p: string) => `${p}_${(++n).toString(36).padStart(6, '0')}`;

export function campaign(over: Partial<CampaignPublished> = {}): CampaignPublished {
  return {
    eventId: next('evt'), type: 'campaign.published', occurredAt: at(DROP - 10 * 86_400_000), campaignId: 'cmp_t', name: 'test', startsAt: at(DROP), endsAt: at(DROP + 30 * 86_400_000), budgetFen: 1_000_000,
    batches: [{ batchId: 'bat_t', dropAt: at(DROP), validUntil: at(DROP + 15 * 86_400_000), coupons: [
      { couponTypeId: 'cpt_100_50', kind: 'threshold', thresholdFen: 10_000, discountFen: 5_000, quantity: 100, categories: ['retail', 'supermarket'] },
      { couponTypeId: 'cpt_nt_20', kind: 'no_threshold', thresholdFen: 0, discountFen: 2_000, quantity: 100, categories: ['dining'] },
    ] }],
    limits: { perPerson: 5, perPersonPerType: 1, perPersonPerBatch: 3 }, refundPolicy: 'return_if_full_refund_within_validity', geoFence: { lat: 34.6, lon: 119.2, radiusKm: 60 },
    ...over,
  };
}

export function merchant(over: Partial<MerchantRegistered> = {}): MerchantRegistered {
  return { eventId: next('evt'), type: 'merchant.registered', occurredAt: at(DROP - 40 * 86_400_000), merchantId: 'mch_t', name: 'shop', category: 'supermarket', district: 'haizhou', lat: 34.6, lon: 119.2, ...over };
}

export function claim(over: Partial<Claim> = {}): Claim {
  return {
    eventId: next('evt'), type: 'claim', occurredAt: at(DROP + 60_000), claimId: next('clm'), couponId: next('cpn'), campaignId: 'cmp_t', batchId: 'bat_t', couponTypeId: 'cpt_100_50',
    userId: 'usr_t', channel: 'alipay', ...over,
  };
}

export function redemption(over: Partial<Redemption> = {}): Redemption {
  const orderFen = over.orderFen ?? 15_000, discountFen = over.discountFen ?? 5_000;
  return {
    eventId: next('evt'), type: 'redemption', occurredAt: at(DROP + 3_600_000), redemptionId: next('rdm'), couponId: next('cpn'), campaignId: 'cmp_t', couponTypeId: 'cpt_100_50',
    userId: 'usr_t', merchantId: 'mch_t', orderId: next('ord'), ...over, orderFen, discountFen, paidFen: orderFen - discountFen,
  };
}

export function refund(over: Partial<Refund> = {}): Refund {
  return { eventId: next('evt'), type: 'refund', occurredAt: at(DROP + 7_200_000), refundId: next('rfd'), orderId: 'ord_x', merchantId: 'mch_t', userId: 'usr_t', refundFen: 100, couponReturned: false, ...over };
}

export function price(over: Partial<PriceObserved> = {}): PriceObserved {
  return { eventId: next('evt'), type: 'price.observed', occurredAt: at(DROP - 10 * 86_400_000), merchantId: 'mch_t', sku: 'sku_rice', name: '大米', priceFen: 3_900, source: 'baseline', ...over };
}
