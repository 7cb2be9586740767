// The program, modelled on Lianyungang's 2022 consumption coupons: threshold coupons 30-15,
// 100-50 and 150-75, no-threshold 20/50/100, a lodging subsidy, batches dropping at 10:00 on set
// days, each valid 15 days, per-person limits and a refund rule.
import type { CampaignPublished, Category, CouponType } from '../core/events.ts';
import { toCstIso } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import type { Rng } from '../core/rng.ts';
import { CARD_BINS } from './identity.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface CouponTemplate {
  key: string;
  kind: CouponType['kind'];
  thresholdFen: number;
  discountFen: number;
  categories: Category[];
  /** Expected share of active claimants who take this type in a batch. */
  popularity: number;
}

export const COUPON_TEMPLATES: readonly CouponTemplate[] = [
  { key: '30-15', kind: 'threshold', thresholdFen: 3000, discountFen: 1500, categories: ['dining', 'entertainment', 'supermarket'], popularity: 0.5 },
  { key: '100-50', kind: 'threshold', thresholdFen: 10000, discountFen: 5000, categories: ['retail', 'supermarket', 'dining', 'entertainment'], popularity: 0.45 },
  { key: '150-75', kind: 'threshold', thresholdFen: 15000, discountFen: 7500, categories: ['mall', 'department_store', 'retail'], popularity: 0.3 },
  { key: 'nt-20', kind: 'no_threshold', thresholdFen: 0, discountFen: 2000, categories: ['dining', 'supermarket', 'retail'], popularity: 0.2 },
  { key: 'nt-50', kind: 'no_threshold', thresholdFen: 0, discountFen: 5000, categories: ['supermarket', 'retail', 'department_store'], popularity: 0.1 },
  { key: 'nt-100', kind: 'no_threshold', thresholdFen: 0, discountFen: 10000, categories: ['mall', 'department_store'], popularity: 0.05 },
  { key: 'lodging-200-100', kind: 'lodging', thresholdFen: 20000, discountFen: 10000, categories: ['lodging'], popularity: 0.06 },
];

export interface PlannedCoupon extends CouponTemplate {
  couponTypeId: string;
  batchIndex: number;
}

export interface PlannedBatch {
  batchId: string;
  index: number;
  dropMs: number;
  validUntilMs: number;
  coupons: PlannedCoupon[];
}

export interface CampaignPlan {
  campaignId: string;
  startMs: number;
  endMs: number;
  /** When the lottery results (eligibility) are imported. */
  lotteryMs: number;
  batches: PlannedBatch[];
  limits: { perPerson: number; perPersonPerType: number; perPersonPerBatch: number };
}

export const LIMITS = { perPerson: 10, perPersonPerType: 1, perPersonPerBatch: 3 };
/** Days after the first drop on which later batches drop. */
const DROP_DAYS = [0, 7, 14, 21];
const VALID_DAYS = 15;

/** `startDate` is the CST calendar day of the first drop (YYYY-MM-DD). */
export function planCampaign(rng: Rng, startDate: string): CampaignPlan {
  const startMs = Date.parse(`${startDate}T10:00:00.000+08:00`);
  if (Number.isNaN(startMs)) throw new Error(`simulator: startDate "${startDate}" is not a YYYY-MM-DD day`);
  const campaignId = newId('campaign', startMs - 10 * DAY_MS, rng);
  const batches = DROP_DAYS.map((day, index): PlannedBatch => {
    const dropMs = startMs + day * DAY_MS;
    return {
      batchId: newId('batch', dropMs, rng),
      index,
      dropMs,
      // Valid through the end of the 15th day counting the drop day.
      validUntilMs: dropMs - 10 * HOUR_MS + VALID_DAYS * DAY_MS - 1,
      coupons: COUPON_TEMPLATES.map((t) => ({ ...t, couponTypeId: newId('couponType', dropMs, rng), batchIndex: index })),
    };
  });
  return {
    campaignId,
    startMs,
    endMs: batches[batches.length - 1]!.validUntilMs,
    lotteryMs: startMs - 2 * DAY_MS + 10 * HOUR_MS,
    batches,
    limits: LIMITS,
  };
}

/** The `campaign.published` body; quantities are sized by the caller to the population. */
export function campaignBody(plan: CampaignPlan, quantityOf: (c: PlannedCoupon) => number): Omit<CampaignPublished, 'eventId' | 'type' | 'occurredAt'> {
  let budgetFen = 0;
  const batches = plan.batches.map((b) => ({
    batchId: b.batchId,
    dropAt: toCstIso(b.dropMs),
    validUntil: toCstIso(b.validUntilMs),
    coupons: b.coupons.map((c) => {
      const quantity = quantityOf(c);
      budgetFen += quantity * c.discountFen;
      return { couponTypeId: c.couponTypeId, kind: c.kind, thresholdFen: c.thresholdFen, discountFen: c.discountFen, quantity, categories: c.categories };
    }),
  }));
  return {
    campaignId: plan.campaignId,
    name: '连云港市惠民消费券（模拟）',
    startsAt: toCstIso(plan.startMs),
    endsAt: toCstIso(plan.endMs),
    budgetFen,
    batches,
    limits: plan.limits,
    cardBins: [...CARD_BINS],
    geoFence: { lat: 34.5, lon: 119.15, radiusKm: 60 },
    refundPolicy: 'return_if_full_refund_within_validity',
    districts: ['haizhou', 'lianyun', 'ganyu', 'donghai', 'guanyun', 'guannan'],
  };
}
