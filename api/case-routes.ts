// The analysts' triage queue and the field teams' inspection lists (cases/queue.ts) over HTTP.
//   GET  /v1/cases?status=open&fraudType=&entityType=&limit=&offset=   analyst, admin
//   GET  /v1/cases/:caseId                                              analyst, admin
//   POST /v1/cases/:caseId/review {status, note, reviewer}              analyst, admin
//   GET  /v1/inspections?district=&limit=&format=json|csv               analyst, bureau, admin
//   POST /v1/inspections {merchantId, result, fraudType?, note, inspector}  analyst, bureau, admin
// Confirming a case does not block anyone by itself: blocking a user or merchant and holding a
// merchant's settlement stay admin actions (issuance routes), so two people see each block.
import type { Request, Router } from 'express';
import type { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { AppError, invalid } from '../core/errors.ts';
import type { AnalyticsStore } from '../ingest/store/analytics-store.ts';
import { getCase, inspectionCsv, inspectionList, inspectionListQuerySchema, inspectionSchema, queueQuerySchema, recordInspection, reviewCase, reviewSchema, triageQueue } from '../cases/queue.ts';
import type { RouteModule } from './app.ts';
import { createAuth, type Role } from './auth.ts';

export interface CaseRoutesOptions {
  store: AnalyticsStore;
  clock: Clock;
  tokens: Partial<Record<Role, string>>;
}

const CASE_ID = /^case_[0-9a-f]{24}$/;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('(body)', 'must be a JSON object');
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.path.join('.') || '(body)', issue.message);
  }
  return parsed.data;
}

function caseIdParam(req: Request): string {
  const id = String(req.params.caseId ?? '');
  if (!CASE_ID.test(id)) throw invalid('caseId', 'must be a case id (case_ and 24 hex digits)');
  return id;
}

export function caseRoutes(opts: CaseRoutesOptions): RouteModule {
  const auth = createAuth(opts.tokens);
  const analysts = auth.require('analyst', 'admin');
  const field = auth.require('analyst', 'bureau', 'admin');
  return {
    name: 'cases',
    mount(router: Router) {
      router.get('/v1/cases', analysts, async (req, res) => {
        res.json(await triageQueue(opts.store, parse(queueQuerySchema, { ...req.query })));
      });
      router.get('/v1/cases/:caseId', analysts, async (req, res) => {
        const found = await getCase(opts.store, caseIdParam(req));
        if (!found) throw new AppError('NOT_FOUND', 'no standing flag behind this case id', { field: 'caseId' });
        res.json(found);
      });
      router.post('/v1/cases/:caseId/review', analysts, async (req, res) => {
        const caseId = caseIdParam(req);
        const review = await reviewCase(opts.store, opts.clock, caseId, parse(reviewSchema, req.body), auth.roleOf(req) ?? 'unknown');
        if (!review) throw new AppError('NOT_FOUND', 'no standing flag behind this case id', { field: 'caseId' });
        res.status(201).json(review);
      });
      router.get('/v1/inspections', field, async (req, res) => {
        const { format, ...rest } = req.query;
        if (format !== undefined && format !== 'json' && format !== 'csv') throw invalid('format', 'must be json or csv');
        const list = await inspectionList(opts.store, parse(inspectionListQuerySchema, rest));
        if (format === 'csv') res.type('text/csv; charset=utf-8').send(inspectionCsv(list));
        else res.json({ merchants: list });
      });
      router.post('/v1/inspections', field, async (req, res) => {
        res.status(201).json(await recordInspection(opts.store, opts.clock, parse(inspectionSchema, req.body)));
      });
    },
    openapi: {
      paths: {
        '/v1/cases': { get: { summary: 'Triage queue: standing flags as cases, highest risk first, filtered by review status, fraud type and entity type', responses: { '200': { description: '{ total, truncated, cases }' }, '400': { description: 'a bad filter' } } } },
        '/v1/cases/{caseId}': { get: { summary: 'One case with its review history', responses: { '200': { description: '{ case, reviews }' }, '404': { description: 'no standing flag behind the id' } } } },
        '/v1/cases/{caseId}/review': { post: { summary: 'Confirm, dismiss or escalate a case, with who and why', responses: { '201': { description: 'the review' }, '400': { description: 'a bad body' }, '404': { description: 'no standing flag behind the id' } } } },
        '/v1/inspections': {
          get: { summary: 'Merchants for field inspection: behind open or escalated cases, not visited since flagged, by district then risk (format=csv for printing)', responses: { '200': { description: '{ merchants } or CSV' } } },
          post: { summary: 'Record a field inspection result (a label for the merchant-risk model)', responses: { '201': { description: '{ inspectionId, inspectedAt }' }, '400': { description: 'a bad body' } } },
        },
      },
    },
  };
}
