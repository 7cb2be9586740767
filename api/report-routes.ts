// GET /v1/reports/daily?day=YYYY-MM-DD[&campaignId=cmp_…]: the T+1 statistics (reports/daily.ts),
// and GET /v1/reports/final?campaignId=cmp_…: a campaign's final report (reports/final.ts), for the
// bureau, its analysts and admins. Counts and fen only: no personal data leaves here.
import type { Router } from 'express';
import type { AnalyticsStore } from '../ingest/store/analytics-store.ts';
import { AppError, invalid } from '../core/errors.ts';
import { CampaignNotFound, finalReport, finalReportQuerySchema } from '../reports/final.ts';
import { dailyReport, reportQuerySchema } from '../reports/daily.ts';
import type { RouteModule } from './app.ts';
import { createAuth, type Role } from './auth.ts';

export interface ReportRoutesOptions {
  store: AnalyticsStore;
  tokens: Partial<Record<Role, string>>;
}

export const REPORT_ROLES: Role[] = ['bureau', 'analyst', 'admin'];

export function reportRoutes(opts: ReportRoutesOptions): RouteModule {
  const auth = createAuth(opts.tokens);
  return {
    name: 'reports',
    mount(router: Router) {
      router.get('/v1/reports/daily', auth.require(...REPORT_ROLES), async (req, res) => {
        const q = reportQuerySchema.safeParse({ day: req.query.day, campaignId: req.query.campaignId });
        if (!q.success) {
          const issue = q.error.issues[0]!;
          throw invalid(issue.path.join('.') || '(query)', issue.message);
        }
        res.json(await dailyReport(opts.store, q.data));
      });
      router.get('/v1/reports/final', auth.require(...REPORT_ROLES), async (req, res) => {
        const q = finalReportQuerySchema.safeParse({ campaignId: req.query.campaignId });
        if (!q.success) throw invalid('campaignId', q.error.issues[0]!.message);
        try {
          res.json(await finalReport(opts.store, q.data));
        } catch (err) {
          if (err instanceof CampaignNotFound) throw new AppError('NOT_FOUND', err.message);
          throw err;
        }
      });
    },
    openapi: {
      paths: {
        '/v1/reports/daily': {
          get: {
            summary: 'T+1 statistics of one China Standard Time day: activity by district and category, totals to date against budget, risk decisions, flags and dead letters',
            parameters: [
              { name: 'day', in: 'query', required: true, schema: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
              { name: 'campaignId', in: 'query', required: false, schema: { type: 'string' } },
            ],
            responses: {
              '200': { description: 'the report; money in integer fen' },
              '400': { description: 'a bad day or campaign id', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
              '401': { description: 'no valid bearer token' },
              '403': { description: 'the token is not a bureau, analyst or admin token' },
            },
          },
        },
        '/v1/reports/final': {
          get: {
            summary: 'Final report of one campaign: totals against budget, by district, category and day, participation, risk decisions, subsidy withheld, flags, flagged shops with inspections',
            parameters: [{ name: 'campaignId', in: 'query', required: true, schema: { type: 'string', pattern: '^cmp_[A-Za-z0-9_-]{1,64}$' } }],
            responses: {
              '200': { description: 'the report; money in integer fen' },
              '400': { description: 'a bad campaign id', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
              '401': { description: 'no valid bearer token' },
              '403': { description: 'the token is not a bureau, analyst or admin token' },
              '404': { description: 'no such campaign in the store', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
            },
          },
        },
      },
    },
  };
}
