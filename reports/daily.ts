// T+1 statistics for the bureau: what one day of the program did (claims, redemptions, the spending
// they drove, refunds) per district, category and campaign, the running totals since the start,
// and what the risk engine did that day (decisions by outcome, the most frequent reasons, flags,
// dead letters). A day is a calendar day in China Standard Time, as the bureau counts it.
//
// Read from the daily rollup (kept by materialized views at insert, so a report costs a few
// hundred rows whatever the traffic) and from the decision, flag and dead-letter tables, whose
// sort keys lead with the time columns filtered here. No personal data is read: the report is
// counts and fen only.
import { z } from 'zod';
import type { AnalyticsStore } from '../ingest/store/analytics-store.ts';
import { chTime } from '../ingest/store/time.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CST_OFFSET_MS = 8 * 3_600_000;

/** Date.parse rolls 2026-02-30 over to March 2nd; a real day survives the round trip. */
function isCalendarDay(d: string): boolean {
  const ms = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === d;
}

export const reportQuerySchema = z.object({
  day: z.string().regex(DAY, 'must be a day as YYYY-MM-DD (China Standard Time)').refine(isCalendarDay, 'is not a calendar day'),
  campaignId: z.string().regex(/^cmp_[A-Za-z0-9_-]{1,64}$/, 'must be a campaign id (cmp_…)').optional(),
});
export type ReportQuery = z.infer<typeof reportQuerySchema>;

const fen = z.number().int().nonnegative();
const count = z.number().int().nonnegative();

export interface ActivityTotals {
  claims: number;
  redemptions: number;
  orderFen: number;
  discountFen: number;
  refunds: number;
  refundFen: number;
  /** Spending driven per fen of subsidy (拉动比): orderFen / discountFen, 2 decimals; null without redemptions. */
  leverage: number | null;
}

export interface DailyReport {
  day: string;
  campaignId: string | null;
  /** That day, per district × category × campaign (claims roll up under district and category ''). */
  byPlace: Array<{ district: string; category: string; campaignId: string } & ActivityTotals>;
  /** That day, summed. */
  dayTotal: ActivityTotals;
  /** From the first day up to and including this one, per campaign, against its budget. */
  toDate: Array<{ campaignId: string; name: string; budgetFen: number | null; budgetUsed: number | null; redemptionRate: number | null } & ActivityTotals>;
  risk: {
    decisions: Array<{ eventType: string; decision: string; count: number }>;
    topReasons: Array<{ reason: string; count: number }>;
    /** Flags standing at the end of the day, by fraud type and entity type. */
    flags: Array<{ fraudType: string; entityType: string; count: number }>;
    deadLetters: Array<{ eventType: string; field: string; count: number }>;
  };
}

const placeRow = z.object({ district: z.string(), category: z.string(), campaignId: z.string(), claims: count, redemptions: count, orderFen: fen, discountFen: fen, refunds: count, refundFen: fen });
const campaignTotalsRow = placeRow.omit({ district: true, category: true });
const campaignRow = z.object({ campaignId: z.string(), name: z.string(), budgetFen: fen });
const decisionRow = z.object({ eventType: z.string(), decision: z.string(), count });
const reasonRow = z.object({ reason: z.string(), count });
const flagRow = z.object({ fraudType: z.string(), entityType: z.string(), count });
const deadLetterRow = z.object({ eventType: z.string(), field: z.string(), count });

const SUMS = 'sum(claims) AS claims, sum(redemptions) AS redemptions, sum(orderFen) AS orderFen, sum(discountFen) AS discountFen, sum(refunds) AS refunds, sum(refundFen) AS refundFen';

/** [start, end) of a CST calendar day as store times (UTC). */
export function cstDayBounds(day: string): { from: string; to: string } {
  const start = Date.parse(`${day}T00:00:00Z`) - CST_OFFSET_MS;
  return { from: chTime(start), to: chTime(start + 86_400_000) };
}

export async function dailyReport(store: AnalyticsStore, query: ReportQuery): Promise<DailyReport> {
  const { day, campaignId } = reportQuerySchema.parse(query);
  const { from, to } = cstDayBounds(day);
  const campaignFilter = campaignId ? ' AND campaignId = {campaignId:String}' : '';
  const params = { day, from, to, campaignId: campaignId ?? '' };

  const [places, totals, campaigns, decisions, reasons, flags, deadLetters] = await Promise.all([
    store.query(`SELECT district, category, campaignId, ${SUMS} FROM {{db}}.daily_rollup_v1 WHERE day = {day:Date}${campaignFilter} GROUP BY district, category, campaignId ORDER BY district, category, campaignId`, params, placeRow),
    store.query(`SELECT campaignId, ${SUMS} FROM {{db}}.daily_rollup_v1 WHERE day <= {day:Date}${campaignFilter} GROUP BY campaignId ORDER BY campaignId`, params, campaignTotalsRow),
    store.query(`SELECT campaignId, argMax(name, occurredAt) AS name, argMax(budgetFen, occurredAt) AS budgetFen FROM {{db}}.campaigns_v1 WHERE 1${campaignFilter} GROUP BY campaignId`, params, campaignRow),
    store.query(
      `SELECT toString(eventType) AS eventType, toString(decision) AS decision, count() AS count FROM {{db}}.decisions_v1 FINAL WHERE occurredAt >= {from:DateTime64(3)} AND occurredAt < {to:DateTime64(3)} AND shadow = 0 GROUP BY eventType, decision ORDER BY eventType, decision`,
      params,
      decisionRow,
    ),
    store.query(
      `SELECT toString(reason) AS reason, count() AS count FROM {{db}}.decisions_v1 FINAL ARRAY JOIN reasons AS reason WHERE occurredAt >= {from:DateTime64(3)} AND occurredAt < {to:DateTime64(3)} AND shadow = 0 GROUP BY reason ORDER BY count DESC, reason LIMIT 10`,
      params,
      reasonRow,
    ),
    store.query(`SELECT toString(fraudType) AS fraudType, toString(entityType) AS entityType, count() AS count FROM {{db}}.flags_v1 FINAL WHERE createdAt < {to:DateTime64(3)} GROUP BY fraudType, entityType ORDER BY fraudType, entityType`, params, flagRow),
    store.query(
      `SELECT toString(eventType) AS eventType, field, count() AS count FROM {{db}}.dead_letters_v1 FINAL WHERE receivedAt >= {from:DateTime64(3)} AND receivedAt < {to:DateTime64(3)} GROUP BY eventType, field ORDER BY count DESC, eventType, field`,
      params,
      deadLetterRow,
    ),
  ]);

  const byPlace = places.map((p) => ({ ...p, leverage: leverage(p) }));
  const budgetOf = new Map(campaigns.map((c) => [c.campaignId, c]));
  const toDate = totals.map((t) => {
    const c = budgetOf.get(t.campaignId);
    return {
      ...t,
      name: c?.name ?? '',
      budgetFen: c ? c.budgetFen : null,
      budgetUsed: c && c.budgetFen > 0 ? round(t.discountFen / c.budgetFen, 4) : null,
      redemptionRate: t.claims > 0 ? round(t.redemptions / t.claims, 4) : null,
      leverage: leverage(t),
    };
  });
  return { day, campaignId: campaignId ?? null, byPlace, dayTotal: sumTotals(places), toDate, risk: { decisions, topReasons: reasons, flags, deadLetters } };
}

function leverage(t: { orderFen: number; discountFen: number }): number | null {
  return t.discountFen > 0 ? round(t.orderFen / t.discountFen, 2) : null;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function sumTotals(rows: ReadonlyArray<Omit<ActivityTotals, 'leverage'>>): ActivityTotals {
  const t = { claims: 0, redemptions: 0, orderFen: 0, discountFen: 0, refunds: 0, refundFen: 0 };
  for (const r of rows) {
    t.claims += r.claims;
    t.redemptions += r.redemptions;
    t.orderFen += r.orderFen;
    t.discountFen += r.discountFen;
    t.refunds += r.refunds;
    t.refundFen += r.refundFen;
  }
  return { ...t, leverage: leverage(t) };
}

/** Yuan with two decimals from integer fen, for people; the JSON keeps fen. */
export function yuan(f: number): string {
  const sign = f < 0 ? '-' : '';
  const a = Math.abs(f);
  return `${sign}${Math.floor(a / 100).toLocaleString('en-US')}.${String(a % 100).padStart(2, '0')}`;
}

/** The report as plain text for the bureau's daily mail. */
export function formatDailyReport(r: DailyReport): string {
  const t = r.dayTotal;
  const lines = [
    `quanguard T+1 report for ${r.day} (China Standard Time)${r.campaignId ? `, campaign ${r.campaignId}` : ''}`,
    '',
    `day: ${t.claims} claims, ${t.redemptions} redemptions, spending ${yuan(t.orderFen)} yuan on ${yuan(t.discountFen)} yuan of subsidy (leverage ${t.leverage ?? '-'}), ${t.refunds} refunds of ${yuan(t.refundFen)} yuan`,
    '',
    'by district and category (redemptions / spending / subsidy yuan):',
    ...r.byPlace.filter((p) => p.redemptions > 0 || p.refunds > 0).map((p) => `  ${p.district.padEnd(12)} ${p.category.padEnd(16)} ${p.campaignId.padEnd(20)} ${String(p.redemptions).padStart(7)} ${yuan(p.orderFen).padStart(16)} ${yuan(p.discountFen).padStart(14)}`),
    '',
    'to date, per campaign:',
    ...r.toDate.map((c) => `  ${c.campaignId} ${c.name}: ${c.claims} claims, ${c.redemptions} redeemed (${c.redemptionRate === null ? '-' : `${(c.redemptionRate * 100).toFixed(1)}%`}), subsidy ${yuan(c.discountFen)} of budget ${c.budgetFen === null ? '-' : yuan(c.budgetFen)} (${c.budgetUsed === null ? '-' : `${(c.budgetUsed * 100).toFixed(1)}%`}), leverage ${c.leverage ?? '-'}`),
    '',
    'risk decisions that day:',
    ...r.risk.decisions.map((d) => `  ${d.eventType.padEnd(12)} ${d.decision.padEnd(10)} ${d.count}`),
    'most frequent reasons:',
    ...r.risk.topReasons.map((x) => `  ${x.reason.padEnd(40)} ${x.count}`),
    'flags standing at the end of the day:',
    ...r.risk.flags.map((f) => `  ${f.fraudType.padEnd(16)} ${f.entityType.padEnd(10)} ${f.count}`),
    `dead letters that day: ${r.risk.deadLetters.reduce((s, d) => s + d.count, 0)}`,
    ...r.risk.deadLetters.map((d) => `  ${d.eventType || '(unknown)'} ${d.field}: ${d.count}`),
  ];
  return lines.join('\n');
}
