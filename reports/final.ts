// The final report of one campaign (活动总结): what the program did over its whole life (coupons
// claimed and redeemed, the spending they drove, subsidy against budget, refunds) per district,
// category and China Standard Time day; how many people and shops took part; and what the risk
// side did (decisions by outcome, subsidy withheld by intercept and block decisions, flags by
// fraud type, flagged shops with their field-inspection results, dead letters).
//
// Counts and fen only: no personal data is read or written (people are counted with uniqExact of
// their account ids; shops, which are businesses, are named).
import { z } from 'zod';
import type { AnalyticsStore } from '../ingest/store/analytics-store.ts';
import { yuan, type ActivityTotals } from './daily.ts';

export const finalReportQuerySchema = z.object({
  campaignId: z.string({ error: 'is required' }).regex(/^cmp_[A-Za-z0-9_-]{1,64}$/, 'must be a campaign id (cmp_…)'),
});
export type FinalReportQuery = z.infer<typeof finalReportQuerySchema>;

export class CampaignNotFound extends Error {}

const n = z.coerce.number().int().nonnegative();
const sums = z.object({ claims: n, redemptions: n, orderFen: n, discountFen: n, refunds: n, refundFen: n });
const campaignRow = z.object({ name: z.string(), budgetFen: n, startsAt: z.string(), endsAt: z.string() });
const SUMS = 'sum(claims) AS claims, sum(redemptions) AS redemptions, sum(orderFen) AS orderFen, sum(discountFen) AS discountFen, sum(refunds) AS refunds, sum(refundFen) AS refundFen';

export interface FinalReport {
  campaignId: string;
  name: string;
  startsAt: string;
  endsAt: string;
  budgetFen: number;
  totals: ActivityTotals & { budgetUsed: number | null; redemptionRate: number | null };
  byDistrict: Array<{ district: string } & ActivityTotals>;
  byCategory: Array<{ category: string } & ActivityTotals>;
  byDay: Array<{ day: string } & ActivityTotals>;
  participation: { claimants: number; redeemers: number; merchants: number };
  risk: {
    decisions: Array<{ eventType: string; decision: string; count: number }>;
    /** Redemptions of this campaign decided intercept or block, and the subsidy they asked for. */
    withheld: { redemptions: number; discountFen: number };
    flags: Array<{ fraudType: string; entityType: string; count: number }>;
    /** Flagged shops of this campaign, highest score first (at most 50), with their last inspection. */
    flaggedMerchants: Array<{ merchantId: string; name: string; district: string; fraudType: string; score: number; redemptions: number; discountFen: number; lastInspection: string | null }>;
    inspections: Array<{ result: string; count: number }>;
    deadLetters: number;
  };
}

export async function finalReport(store: AnalyticsStore, query: FinalReportQuery): Promise<FinalReport> {
  const { campaignId } = finalReportQuerySchema.parse(query);
  const params = { campaignId };
  const [campaign] = await store.query(
    `SELECT argMax(name, occurredAt) AS name, argMax(budgetFen, occurredAt) AS budgetFen, toString(argMax(startsAt, occurredAt)) AS startsAt, toString(argMax(endsAt, occurredAt)) AS endsAt
     FROM {{db}}.campaigns_v1 WHERE campaignId = {campaignId:String} GROUP BY campaignId`,
    params,
    campaignRow,
  );
  if (!campaign) throw new CampaignNotFound(`no campaign ${campaignId} in the store`);

  // Redemptions of the campaign with their live decision (the latest one stored for the event).
  const decided = `SELECT r.eventId AS eventId, r.discountFen AS discountFen, d.decision AS decision
    FROM (SELECT eventId, discountFen FROM {{db}}.redemptions_v1 FINAL WHERE campaignId = {campaignId:String}) AS r
    INNER JOIN (SELECT eventId, argMax(decision, occurredAt) AS decision FROM {{db}}.decisions_v1 FINAL WHERE shadow = 0 AND eventType = 'redemption' GROUP BY eventId) AS d ON d.eventId = r.eventId`;
  const [totals, districts, categories, days, people, decisions, withheld, flags, flagged, inspections, deadLetters] = await Promise.all([
    store.query(`SELECT ${SUMS} FROM {{db}}.daily_rollup_v1 WHERE campaignId = {campaignId:String}`, params, sums),
    store.query(`SELECT district, ${SUMS} FROM {{db}}.daily_rollup_v1 WHERE campaignId = {campaignId:String} AND district != '' GROUP BY district ORDER BY district`, params, sums.extend({ district: z.string() })),
    store.query(`SELECT category, ${SUMS} FROM {{db}}.daily_rollup_v1 WHERE campaignId = {campaignId:String} AND category != '' GROUP BY category ORDER BY category`, params, sums.extend({ category: z.string() })),
    store.query(`SELECT toString(day) AS day, ${SUMS} FROM {{db}}.daily_rollup_v1 WHERE campaignId = {campaignId:String} GROUP BY day ORDER BY day`, params, sums.extend({ day: z.string() })),
    store.query(
      `SELECT (SELECT uniqExact(userId) FROM {{db}}.claims_v1 WHERE campaignId = {campaignId:String}) AS claimants,
              (SELECT uniqExact(userId) FROM {{db}}.redemptions_v1 WHERE campaignId = {campaignId:String}) AS redeemers,
              (SELECT uniqExact(merchantId) FROM {{db}}.redemptions_v1 WHERE campaignId = {campaignId:String}) AS merchants`,
      params,
      z.object({ claimants: n, redeemers: n, merchants: n }),
    ),
    store.query(
      `SELECT toString(d.eventType) AS eventType, toString(d.decision) AS decision, count() AS count
       FROM (SELECT eventId, argMax(eventType, occurredAt) AS eventType, argMax(decision, occurredAt) AS decision FROM {{db}}.decisions_v1 FINAL WHERE shadow = 0 GROUP BY eventId) AS d
       WHERE d.eventId IN (SELECT eventId FROM {{db}}.claims_v1 WHERE campaignId = {campaignId:String}) OR d.eventId IN (SELECT eventId FROM {{db}}.redemptions_v1 WHERE campaignId = {campaignId:String})
       GROUP BY eventType, decision ORDER BY eventType, decision`,
      params,
      z.object({ eventType: z.string(), decision: z.string(), count: n }),
    ),
    store.query(`SELECT count() AS redemptions, sum(discountFen) AS discountFen FROM (${decided}) WHERE decision IN ('intercept', 'block')`, params, z.object({ redemptions: n, discountFen: n })),
    store.query(`SELECT toString(fraudType) AS fraudType, toString(entityType) AS entityType, count() AS count FROM {{db}}.flags_v1 FINAL GROUP BY fraudType, entityType ORDER BY fraudType, entityType`, params, z.object({ fraudType: z.string(), entityType: z.string(), count: n })),
    store.query(
      `SELECT f.entityId AS merchantId, m.name AS name, m.district AS district, f.topType AS fraudType, f.topScore AS score, r.redemptions AS redemptions, r.discountFen AS discountFen, i.last AS lastInspection
       FROM (SELECT entityId, toString(argMax(fraudType, score)) AS topType, max(score) AS topScore FROM {{db}}.flags_v1 FINAL WHERE entityType = 'merchant' GROUP BY entityId) AS f
       INNER JOIN (SELECT merchantId, count() AS redemptions, sum(discountFen) AS discountFen FROM {{db}}.redemptions_v1 FINAL WHERE campaignId = {campaignId:String} GROUP BY merchantId) AS r ON r.merchantId = f.entityId
       LEFT JOIN (SELECT merchantId, argMax(name, occurredAt) AS name, toString(argMax(district, occurredAt)) AS district FROM {{db}}.merchants_v1 GROUP BY merchantId) AS m ON m.merchantId = f.entityId
       LEFT JOIN (SELECT merchantId, concat(toString(argMax(result, inspectedAt)), ' ', toString(max(inspectedAt))) AS last FROM {{db}}.inspections_v1 GROUP BY merchantId) AS i ON i.merchantId = f.entityId
       ORDER BY f.topScore DESC, merchantId LIMIT 50`,
      params,
      z.object({ merchantId: z.string(), name: z.string(), district: z.string(), fraudType: z.string(), score: z.coerce.number(), redemptions: n, discountFen: n, lastInspection: z.string() }),
    ),
    store.query(
      `SELECT toString(result) AS result, count() AS count FROM (SELECT merchantId, argMax(result, inspectedAt) AS result FROM {{db}}.inspections_v1 GROUP BY merchantId)
       WHERE merchantId IN (SELECT merchantId FROM {{db}}.redemptions_v1 WHERE campaignId = {campaignId:String}) GROUP BY result ORDER BY result`,
      params,
      z.object({ result: z.string(), count: n }),
    ),
    store.query(`SELECT count() AS n FROM {{db}}.dead_letters_v1 FINAL`, params, z.object({ n })),
  ]);

  const t = totals[0] ?? { claims: 0, redemptions: 0, orderFen: 0, discountFen: 0, refunds: 0, refundFen: 0 };
  return {
    campaignId,
    name: campaign.name,
    startsAt: campaign.startsAt,
    endsAt: campaign.endsAt,
    budgetFen: campaign.budgetFen,
    totals: { ...t, leverage: leverage(t), budgetUsed: campaign.budgetFen > 0 ? round(t.discountFen / campaign.budgetFen, 4) : null, redemptionRate: t.claims > 0 ? round(t.redemptions / t.claims, 4) : null },
    byDistrict: districts.map((d) => ({ ...d, leverage: leverage(d) })),
    byCategory: categories.map((c) => ({ ...c, leverage: leverage(c) })),
    byDay: days.map((d) => ({ ...d, leverage: leverage(d) })),
    participation: people[0] ?? { claimants: 0, redeemers: 0, merchants: 0 },
    risk: {
      decisions,
      withheld: withheld[0] ?? { redemptions: 0, discountFen: 0 },
      flags,
      flaggedMerchants: flagged.map((f) => ({ ...f, score: round(f.score, 3), lastInspection: f.lastInspection.trim() === '' ? null : f.lastInspection })),
      inspections,
      deadLetters: deadLetters[0]?.n ?? 0,
    },
  };
}

function leverage(t: { orderFen: number; discountFen: number }): number | null {
  return t.discountFen > 0 ? round(t.orderFen / t.discountFen, 2) : null;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/** The final report as plain text for the bureau. */
export function formatFinalReport(r: FinalReport): string {
  const t = r.totals;
  return [
    `quanguard final report: ${r.campaignId} ${r.name} (${r.startsAt} to ${r.endsAt} UTC)`,
    '',
    `coupons: ${t.claims} claimed by ${r.participation.claimants} people, ${t.redemptions} redeemed (${pct(t.redemptionRate)}) by ${r.participation.redeemers} people at ${r.participation.merchants} shops`,
    `spending driven ${yuan(t.orderFen)} yuan on ${yuan(t.discountFen)} yuan of subsidy (leverage ${t.leverage ?? '-'}), ${pct(t.budgetUsed)} of the ${yuan(r.budgetFen)} yuan budget; ${t.refunds} refunds of ${yuan(t.refundFen)} yuan`,
    '',
    'by district (redemptions / spending / subsidy yuan / leverage):',
    ...r.byDistrict.map((d) => `  ${d.district.padEnd(14)} ${String(d.redemptions).padStart(8)} ${yuan(d.orderFen).padStart(18)} ${yuan(d.discountFen).padStart(16)} ${String(d.leverage ?? '-').padStart(6)}`),
    'by category:',
    ...r.byCategory.map((c) => `  ${c.category.padEnd(14)} ${String(c.redemptions).padStart(8)} ${yuan(c.orderFen).padStart(18)} ${yuan(c.discountFen).padStart(16)} ${String(c.leverage ?? '-').padStart(6)}`),
    'by day (claims / redemptions / subsidy yuan):',
    ...r.byDay.map((d) => `  ${d.day} ${String(d.claims).padStart(8)} ${String(d.redemptions).padStart(8)} ${yuan(d.discountFen).padStart(16)}`),
    '',
    'risk decisions:',
    ...r.risk.decisions.map((d) => `  ${d.eventType.padEnd(12)} ${d.decision.padEnd(10)} ${d.count}`),
    `subsidy withheld by intercept and block decisions: ${yuan(r.risk.withheld.discountFen)} yuan on ${r.risk.withheld.redemptions} redemptions`,
    'flags by fraud type:',
    ...r.risk.flags.map((f) => `  ${f.fraudType.padEnd(16)} ${f.entityType.padEnd(10)} ${f.count}`),
    'flagged shops of this campaign (highest score first):',
    ...r.risk.flaggedMerchants.map((m) => `  ${m.merchantId} ${m.name} (${m.district}) ${m.fraudType} ${m.score}: ${m.redemptions} redemptions, ${yuan(m.discountFen)} yuan subsidy; inspection ${m.lastInspection ?? 'none'}`),
    `field inspections: ${r.risk.inspections.map((i) => `${i.result} ${i.count}`).join(', ') || 'none'}`,
    `dead letters: ${r.risk.deadLetters}`,
  ].join('\n');
}
