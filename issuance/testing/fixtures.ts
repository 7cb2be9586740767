// Campaigns, winners and merchants for the issuance tests.
import type { Outcome, RiskDecider, RiskDecision } from '../../core/decision.ts';
import type { Claim, Redemption } from '../../core/events.ts';
import { nationalIdCheckChar } from '../../core/pii.ts';
import type { CampaignDefinition } from '../campaign.ts';
import type { ClaimResult } from '../results.ts';
import type { IssuanceService } from '../service.ts';

/** 2026-05-01T10:00:00+08:00 */
export const T0 = Date.parse('2026-05-01T10:00:00.000+08:00');
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

export function campaignDef(overrides: Partial<CampaignDefinition> = {}): CampaignDefinition {
  return {
    campaignId: 'cmp_test',
    name: 'Lianyungang May coupons',
    startsAt: '2026-05-01T00:00:00.000+08:00',
    endsAt: '2026-05-31T00:00:00.000+08:00',
    budgetFen: 10_000_000,
    batches: [
      {
        batchId: 'bat_1',
        dropAt: '2026-05-01T10:00:00.000+08:00',
        validUntil: '2026-05-08T00:00:00.000+08:00',
        coupons: [
          { couponTypeId: 'cpt_dining50', kind: 'threshold', thresholdFen: 20_000, discountFen: 5_000, quantity: 100, categories: ['dining'] },
          { couponTypeId: 'cpt_retail20', kind: 'threshold', thresholdFen: 10_000, discountFen: 2_000, quantity: 100, categories: ['retail', 'supermarket'] },
          { couponTypeId: 'cpt_any10', kind: 'no_threshold', thresholdFen: 0, discountFen: 1_000, quantity: 100, categories: [] },
        ],
      },
      {
        batchId: 'bat_2',
        dropAt: '2026-05-02T10:00:00.000+08:00',
        validUntil: '2026-05-09T00:00:00.000+08:00',
        coupons: [{ couponTypeId: 'cpt_dining30', kind: 'threshold', thresholdFen: 10_000, discountFen: 3_000, quantity: 100, categories: ['dining'] }],
      },
    ],
    limits: { perPerson: 3, perPersonPerType: 1, perPersonPerBatch: 2 },
    refundPolicy: 'return_if_full_refund_within_validity',
    districts: ['haizhou', 'lianyun'],
    ...overrides,
  };
}

/** A valid GB 11643 number for person n (born 1990-01-01 in Haizhou). */
export function nationalId(n: number): string {
  const first17 = `32070619900101${String(n % 1000).padStart(3, '0')}`;
  return first17 + nationalIdCheckChar(first17);
}

export function phone(n: number): string {
  return `139${String(n).padStart(8, '0')}`;
}

/** A CSV export of winners: person i has account usr_i (and person 0 also usr_0b). */
export function winnersCsv(count: number, extra: string[] = []): string {
  const lines = ['name,nationalId,phone,userId'];
  for (let i = 0; i < count; i++) lines.push(`张${i},${nationalId(i)},${phone(i)},usr_${i}`);
  return [...lines, ...extra].join('\n') + '\n';
}

/** A decider that answers what the test tells it, per user or merchant. */
export class ScriptedDecider implements RiskDecider {
  readonly name = 'scripted (test)';
  readonly answers = new Map<string, { decision: Outcome; reasons: string[] }>();
  readonly seen: (Claim | Redemption)[] = [];
  async decide(event: Claim | Redemption): Promise<RiskDecision> {
    this.seen.push(event);
    const a = (event.type === 'redemption' ? this.answers.get(event.merchantId) : undefined) ?? this.answers.get(event.userId) ?? { decision: 'allow' as const, reasons: [] };
    return { decisionId: 'dec_test', eventId: event.eventId, decision: a.decision, score: a.decision === 'allow' ? 0 : 0.9, reasons: a.reasons, rulesetVersion: 'test' };
  }
}

/**
 * The durability tests' workload: a campaign without per-person limits, 50 winners, 250 claims
 * racing for 200 coupons (100 of each of two types). Returns the definition, every answer (claim i used key `k${i}`) and the granted coupon ids.
 */
export async function claimStorm(svc: IssuanceService): Promise<{ def: CampaignDefinition; results: ClaimResult[]; granted: string[] }> {
  const def = campaignDef({ limits: { perPerson: 0, perPersonPerType: 0, perPersonPerBatch: 0 } });
  await svc.createCampaign(def);
  await svc.publishCampaign(def.campaignId);
  await svc.importEligibility(def.campaignId, winnersCsv(50), 'csv');
  const results = await Promise.all(
    Array.from({ length: 250 }, (_, i) => svc.claim({ campaignId: def.campaignId, couponTypeId: i % 2 ? 'cpt_any10' : 'cpt_retail20', userId: `usr_${i % 50}`, idempotencyKey: `k${i}`, channel: 'app' })),
  );
  return { def, results, granted: results.flatMap((r) => (r.kind === 'granted' ? [r.couponId] : [])) };
}
