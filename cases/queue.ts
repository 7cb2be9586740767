// The analysts' triage queue and the field teams' inspection lists.
//
// A case is one standing flag: (fraudType, entityType, entityId) in flags_v1, whichever detector
// raised it. Its id is derived from that key, so a scheduled model run that re-flags the entity
// keeps the case and its review history. Reviews (confirmed / dismissed / escalated, who, why) and
// inspection results are appended to their tables; the latest one is the state.
//
// Flags are few (one per fraud entity, thousands at city scale) and reviews fewer, so the queue is
// joined in memory after two bounded reads; money and counts come from the store, personal data
// never does (account and merchant ids only; hashes stay in the tables).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import type { AnalyticsStore } from '../ingest/store/analytics-store.ts';
import { chTime } from '../ingest/store/time.ts';

export const CASE_STATUSES = ['open', 'confirmed', 'dismissed', 'escalated'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const REVIEW_STATUSES = ['confirmed', 'dismissed', 'escalated'] as const;
export const INSPECTION_RESULTS = ['fraud_confirmed', 'clean', 'closed', 'not_found'] as const;

/** Flags read per queue request; past this the queue says it is truncated instead of guessing. */
export const MAX_FLAGS = 50_000;

export function caseIdOf(fraudType: string, entityType: string, entityId: string): string {
  return `case_${createHash('sha256').update(`${fraudType}|${entityType}|${entityId}`).digest('hex').slice(0, 24)}`;
}

export const queueQuerySchema = z.object({
  status: z.enum([...CASE_STATUSES, 'all'], { error: `must be one of ${[...CASE_STATUSES, 'all'].join(', ')}` }).default('open'),
  fraudType: z.string().regex(/^[a-z_]{1,40}$/, 'must be a fraud type such as cash_out').optional(),
  entityType: z.string().regex(/^[a-z_]{1,40}$/, 'must be an entity type such as merchant').optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(50),
  offset: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').default(0),
});
export type QueueQuery = z.input<typeof queueQuerySchema>;

export const reviewSchema = z.object({
  status: z.enum(REVIEW_STATUSES, { error: `must be one of ${REVIEW_STATUSES.join(', ')}` }),
  note: z.string({ error: 'must say why' }).trim().min(3, 'must say why (at least 3 characters)').max(2000, 'must be at most 2000 characters'),
  reviewer: z.string({ error: 'must name the reviewer' }).trim().min(1, 'must name the reviewer').max(200, 'must be at most 200 characters'),
});

export const inspectionSchema = z.object({
  merchantId: z.string({ error: 'is required' }).regex(/^mch_[A-Za-z0-9_-]{1,64}$/, 'must be a merchant id (mch_…)'),
  result: z.enum(INSPECTION_RESULTS, { error: `must be one of ${INSPECTION_RESULTS.join(', ')}` }),
  fraudType: z.string().regex(/^[a-z_]{1,40}$/, 'must be a fraud type such as cash_out').optional(),
  note: z.string({ error: 'must say what was found' }).trim().min(3, 'must say what was found (at least 3 characters)').max(2000, 'must be at most 2000 characters'),
  inspector: z.string({ error: 'must name the inspector' }).trim().min(1, 'must name the inspector').max(200, 'must be at most 200 characters'),
});

export const inspectionListQuerySchema = z.object({
  district: z.string().regex(/^[a-z_]{1,40}$/, 'must be a district such as haizhou').optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(200),
});

export interface Review {
  reviewId: string;
  caseId: string;
  status: CaseStatus;
  note: string;
  reviewer: string;
  role: string;
  reviewedAt: string;
}

export interface Case {
  caseId: string;
  fraudType: string;
  entityType: string;
  entityId: string;
  score: number;
  reasons: string[];
  members: string[];
  sources: string[];
  flaggedAt: string;
  status: CaseStatus;
  lastReview: Review | null;
}

const flagRow = z.object({ fraudType: z.string(), entityType: z.string(), entityId: z.string(), score: z.number(), reasons: z.array(z.string()), members: z.array(z.string()), source: z.string(), createdAt: z.string() });
const reviewRow = z.object({ reviewId: z.string(), caseId: z.string(), status: z.enum(CASE_STATUSES), note: z.string(), reviewer: z.string(), role: z.string(), reviewedAt: z.string() });

/** Every standing flag as a case (detectors agreeing on one entity and type merge), with its latest review. */
async function loadCases(store: AnalyticsStore): Promise<{ cases: Case[]; truncated: boolean }> {
  const [flags, reviews] = await Promise.all([
    store.query(
      'SELECT toString(fraudType) AS fraudType, toString(entityType) AS entityType, entityId, score, arrayMap(x -> toString(x), reasons) AS reasons, members, toString(source) AS source, toString(createdAt) AS createdAt FROM {{db}}.flags_v1 FINAL ORDER BY score DESC LIMIT {limit:UInt32}',
      { limit: MAX_FLAGS + 1 },
      flagRow,
    ),
    store.query(
      // Latest review per case. LIMIT 1 BY, not argMax: aliases named like their columns would
      // nest aggregates (ClickHouse resolves an alias before the column).
      'SELECT reviewId, caseId, toString(status) AS status, note, reviewer, toString(role) AS role, toString(reviewedAt) AS reviewedAt FROM (SELECT * FROM {{db}}.case_reviews_v1 ORDER BY caseId, reviewedAt DESC, reviewId DESC LIMIT 1 BY caseId)',
      {},
      reviewRow,
    ),
  ]);
  const latest = new Map(reviews.map((r) => [r.caseId, r]));
  const byId = new Map<string, Case>();
  for (const f of flags.slice(0, MAX_FLAGS)) {
    const caseId = caseIdOf(f.fraudType, f.entityType, f.entityId);
    const known = byId.get(caseId);
    if (known) {
      known.score = Math.max(known.score, f.score);
      known.reasons = [...new Set([...known.reasons, ...f.reasons])];
      known.members = [...new Set([...known.members, ...f.members])];
      known.sources = [...new Set([...known.sources, f.source])].sort();
      if (f.createdAt > known.flaggedAt) known.flaggedAt = f.createdAt;
      continue;
    }
    const review = latest.get(caseId) ?? null;
    byId.set(caseId, { caseId, fraudType: f.fraudType, entityType: f.entityType, entityId: f.entityId, score: f.score, reasons: f.reasons, members: f.members, sources: [f.source], flaggedAt: f.createdAt, status: review?.status ?? 'open', lastReview: review });
  }
  return { cases: [...byId.values()], truncated: flags.length > MAX_FLAGS };
}

/** Highest risk first; among equals, bigger rings, then the most recently flagged. */
function byPriority(a: Case, b: Case): number {
  return b.score - a.score || b.members.length - a.members.length || (a.flaggedAt < b.flaggedAt ? 1 : a.flaggedAt > b.flaggedAt ? -1 : 0) || (a.caseId < b.caseId ? -1 : 1);
}

export async function triageQueue(store: AnalyticsStore, query: QueueQuery): Promise<{ total: number; truncated: boolean; cases: Case[] }> {
  const q = queueQuerySchema.parse(query);
  const { cases, truncated } = await loadCases(store);
  const matching = cases.filter((c) => (q.status === 'all' || c.status === q.status) && (!q.fraudType || c.fraudType === q.fraudType) && (!q.entityType || c.entityType === q.entityType)).sort(byPriority);
  return { total: matching.length, truncated, cases: matching.slice(q.offset, q.offset + q.limit) };
}

export async function getCase(store: AnalyticsStore, caseId: string): Promise<{ case: Case; reviews: Review[] } | null> {
  const { cases } = await loadCases(store);
  const found = cases.find((c) => c.caseId === caseId);
  if (!found) return null;
  const reviews = await store.query(
    'SELECT reviewId, caseId, toString(status) AS status, note, reviewer, toString(role) AS role, toString(reviewedAt) AS reviewedAt FROM {{db}}.case_reviews_v1 WHERE caseId = {caseId:String} ORDER BY reviewedAt, reviewId',
    { caseId },
    reviewRow,
  );
  return { case: found, reviews };
}

/** Appends a review; null when there is no standing flag behind the case id. */
export async function reviewCase(store: AnalyticsStore, clock: Clock, caseId: string, input: z.infer<typeof reviewSchema>, role: string): Promise<Review | null> {
  const found = await getCase(store, caseId);
  if (!found) return null;
  const now = clock.now();
  const review: Review = { reviewId: newId('review', now), caseId, status: input.status, note: input.note, reviewer: input.reviewer, role, reviewedAt: chTime(now) };
  const c = found.case;
  await store.insert('case_reviews_v1', [{ ...review, fraudType: c.fraudType, entityType: c.entityType, entityId: c.entityId }]);
  return review;
}

export interface InspectionTarget {
  merchantId: string;
  name: string;
  category: string;
  district: string;
  lat: number;
  lon: number;
  registeredAt: string;
  fraudTypes: string[];
  score: number;
  reasons: string[];
  caseIds: string[];
  redemptions: number;
  discountFen: number;
  lastInspection: { result: string; inspectedAt: string; inspector: string } | null;
}

const merchantRow = z.object({ merchantId: z.string(), name: z.string(), category: z.string(), district: z.string(), lat: z.number(), lon: z.number(), registeredAt: z.string() });
const activityRow = z.object({ merchantId: z.string(), redemptions: z.number().int(), discountFen: z.number().int() });
const inspectionRow = z.object({ merchantId: z.string(), result: z.string(), inspectedAt: z.string(), inspector: z.string() });

/**
 * Merchants to visit: every merchant behind an open or escalated case (flagged itself or a member
 * of a flagged ring), not inspected since it was last flagged, by district and then risk.
 */
export async function inspectionList(store: AnalyticsStore, query: z.input<typeof inspectionListQuerySchema>): Promise<InspectionTarget[]> {
  const q = inspectionListQuerySchema.parse(query);
  const { cases } = await loadCases(store);
  const targets = new Map<string, { fraudTypes: Set<string>; score: number; reasons: Set<string>; caseIds: string[]; flaggedAt: string }>();
  for (const c of cases) {
    if (c.status !== 'open' && c.status !== 'escalated') continue;
    const merchants = c.entityType === 'merchant' ? [c.entityId] : c.members.filter((m) => m.startsWith('mch_'));
    for (const m of merchants) {
      const t = targets.get(m) ?? { fraudTypes: new Set<string>(), score: 0, reasons: new Set<string>(), caseIds: [], flaggedAt: '' };
      t.fraudTypes.add(c.fraudType);
      t.score = Math.max(t.score, c.score);
      for (const r of c.reasons) t.reasons.add(r);
      t.caseIds.push(c.caseId);
      if (c.flaggedAt > t.flaggedAt) t.flaggedAt = c.flaggedAt;
      targets.set(m, t);
    }
  }
  if (targets.size === 0) return [];
  const ids = [...targets.keys()];
  const [merchants, activity, inspections] = await Promise.all([
    store.query(
      'SELECT merchantId, argMax(name, occurredAt) AS name, toString(argMax(category, occurredAt)) AS category, toString(argMax(district, occurredAt)) AS district, argMax(lat, occurredAt) AS lat, argMax(lon, occurredAt) AS lon, toString(min(occurredAt)) AS registeredAt FROM {{db}}.merchants_v1 WHERE merchantId IN {ids:Array(String)} GROUP BY merchantId',
      { ids },
      merchantRow,
    ),
    store.query('SELECT merchantId, toInt64(count()) AS redemptions, toInt64(sum(discountFen)) AS discountFen FROM {{db}}.redemptions_v1 WHERE merchantId IN {ids:Array(String)} GROUP BY merchantId', { ids }, activityRow),
    store.query(
      'SELECT merchantId, toString(result) AS result, toString(inspectedAt) AS inspectedAt, inspector FROM (SELECT * FROM {{db}}.inspections_v1 WHERE merchantId IN {ids:Array(String)} ORDER BY merchantId, inspectedAt DESC, inspectionId DESC LIMIT 1 BY merchantId)',
      { ids },
      inspectionRow,
    ),
  ]);
  const info = new Map(merchants.map((m) => [m.merchantId, m]));
  const act = new Map(activity.map((a) => [a.merchantId, a]));
  const visited = new Map(inspections.map((i) => [i.merchantId, i]));
  const list: InspectionTarget[] = [];
  for (const [merchantId, t] of targets) {
    const m = info.get(merchantId);
    if (!m) continue; // flagged before its registration reached the store: nothing to visit yet
    if (q.district && m.district !== q.district) continue;
    const last = visited.get(merchantId) ?? null;
    if (last && last.inspectedAt >= t.flaggedAt) continue;
    list.push({
      ...m,
      fraudTypes: [...t.fraudTypes].sort(),
      score: t.score,
      reasons: [...t.reasons].sort(),
      caseIds: t.caseIds.sort(),
      redemptions: act.get(merchantId)?.redemptions ?? 0,
      discountFen: act.get(merchantId)?.discountFen ?? 0,
      lastInspection: last ? { result: last.result, inspectedAt: last.inspectedAt, inspector: last.inspector } : null,
    });
  }
  return list.sort((a, b) => (a.district < b.district ? -1 : a.district > b.district ? 1 : b.score - a.score || (a.merchantId < b.merchantId ? -1 : 1))).slice(0, q.limit);
}

export async function recordInspection(store: AnalyticsStore, clock: Clock, input: z.infer<typeof inspectionSchema>): Promise<{ inspectionId: string; inspectedAt: string }> {
  const now = clock.now();
  const row = { inspectionId: newId('inspection', now), merchantId: input.merchantId, result: input.result, fraudType: input.fraudType ?? '', note: input.note, inspector: input.inspector, inspectedAt: chTime(now) };
  await store.insert('inspections_v1', [row]);
  return { inspectionId: row.inspectionId, inspectedAt: row.inspectedAt };
}

/** The inspection list as CSV for printing (UTF-8 with BOM so spreadsheet programs read 中文 names). */
export function inspectionCsv(list: readonly InspectionTarget[]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const header = ['district', 'merchantId', 'name', 'category', 'lat', 'lon', 'registeredAt', 'fraudTypes', 'score', 'redemptions', 'discountYuan', 'reasons', 'lastInspection'];
  const rows = list.map((t) => [t.district, t.merchantId, t.name, t.category, t.lat, t.lon, t.registeredAt, t.fraudTypes.join(' '), t.score.toFixed(3), t.redemptions, (t.discountFen / 100).toFixed(2), t.reasons.join(' '), t.lastInspection ? `${t.lastInspection.result} ${t.lastInspection.inspectedAt}` : ''].map(cell).join(','));
  return '\uFEFF' + [header.join(','), ...rows].join('\n') + '\n';
}
