// Contract events for tests that go through replay or the store: a small bot farm.
import { createHash } from 'node:crypto';
import { toCstIso } from '../../core/clock.ts';
import type { QuanguardEvent } from '../../core/events.ts';

export const FARM_T0 = Date.parse('2026-05-01T10:00:00.000+08:00');
const T0 = FARM_T0;
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

/** A campaign and a farm of 12 fresh accounts on 2 devices claiming within a second of the drop. */
export function farmEvents(): QuanguardEvent[] {
  const out: QuanguardEvent[] = [{
    eventId: 'evt_cmp', type: 'campaign.published', occurredAt: toCstIso(T0 - 86_400_000), campaignId: 'cmp_1', name: 'c', startsAt: toCstIso(T0), endsAt: toCstIso(T0 + 30 * 86_400_000), budgetFen: 100_000,
    batches: [{ batchId: 'bat_1', dropAt: toCstIso(T0), validUntil: toCstIso(T0 + 20 * 86_400_000), coupons: [{ couponTypeId: 'cpt_1', kind: 'threshold', thresholdFen: 10_000, discountFen: 2_000, quantity: 100, categories: ['dining'] }] }],
    limits: { perPerson: 1, perPersonPerType: 1, perPersonPerBatch: 1 }, refundPolicy: 'never_return',
  }];
  for (let i = 0; i < 12; i++)
    out.push({ eventId: `evt_c${i}`, type: 'claim', occurredAt: toCstIso(T0 + 40 + i * 30), claimId: `clm_${i}`, couponId: `cpn_${i}`, campaignId: 'cmp_1', batchId: 'bat_1', couponTypeId: 'cpt_1', userId: `usr_farm${i}`, idHash: hash(`id${i}`), phoneHash: hash(`ph${i}`), deviceId: `dev_farm${i % 2}`, ip: `47.92.1.${i + 2}`, channel: 'app', userAgent: 'python-requests/2.31', accountCreatedAt: toCstIso(T0 - 2 * 86_400_000) });
  return out;
}
