// POST /v1/decisions/claim and /v1/decisions/redemption: the issuance core (or a payment
// platform) asks before granting a claim or applying a coupon at checkout. Bodies are the event
// contract's claim and redemption (`type` may be left out); the answer is the decision, its
// score and reason codes, the rule-set version and a decision id. Thin: parse, decide, present.
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { RiskDecider, RiskDecision } from '../core/decision.ts';
import { AppError, invalid } from '../core/errors.ts';
import { claimSchema, redemptionSchema } from '../core/events.ts';
import { fastEvent } from '../ingest/decode-fast.ts';
import type { RouteModule } from './app.ts';

export interface DecisionRoutesOptions {
  decider: RiskDecider;
  /** Bearer token callers must present (the issuance token); absent: no authentication. */
  token?: string;
}

function parseBody<S extends z.ZodType>(schema: S, type: 'claim' | 'redemption', body: unknown): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('(body)', 'must be a JSON object');
  const raw = body as Record<string, unknown>;
  if (raw.type !== undefined && raw.type !== type) throw invalid('type', `must be "${type}" on this route`);
  // The body is this request's own freshly parsed object: adding the type in place spares a copy.
  if (raw.type === undefined) raw.type = type;
  // The ingester's precompiled check accepts what is certainly valid without zod's copy (it is
  // never looser than the schemas: ingest/decode-fast.test.ts); anything else goes to zod, which
  // words the error.
  const fast = fastEvent(raw);
  if (fast !== undefined) return fast as z.infer<S>;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.path.length ? issue.path.join('.') : '(body)', issue.message);
  }
  return parsed.data;
}

function authorize(req: Request, token: string | undefined): void {
  if (token === undefined) return;
  const header = req.get('authorization') ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw new AppError('UNAUTHENTICATED', 'a valid bearer token is required');
}

/**
 * The answer res.json gives (same body, Content-Type and Content-Length; the app sets no JSON
 * replacer or spacing), written directly: res.json parses its own content type again and looks up
 * app settings on every call, and this runs once per decision.
 */
function sendDecision(res: Response, d: RiskDecision): void {
  const body = JSON.stringify({ decisionId: d.decisionId, eventId: d.eventId, decision: d.decision, score: d.score, reasons: d.reasons, rulesetVersion: d.rulesetVersion });
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export function decisionRoutes(opts: DecisionRoutesOptions): RouteModule {
  return {
    name: 'decisions',
    mount(router: Router) {
      router.post('/v1/decisions/claim', async (req, res) => {
        authorize(req, opts.token);
        sendDecision(res, await opts.decider.decide(parseBody(claimSchema, 'claim', req.body)));
      });
      router.post('/v1/decisions/redemption', async (req, res) => {
        authorize(req, opts.token);
        sendDecision(res, await opts.decider.decide(parseBody(redemptionSchema, 'redemption', req.body)));
      });
    },
    openapi: {
      paths: {
        '/v1/decisions/claim': operation('Decide on a coupon claim before it is granted', 'ClaimEvent'),
        '/v1/decisions/redemption': operation('Decide on a coupon redemption at checkout', 'RedemptionEvent'),
      },
      schemas: {
        Decision: {
          type: 'object',
          required: ['decisionId', 'eventId', 'decision', 'score', 'reasons', 'rulesetVersion'],
          properties: {
            decisionId: { type: 'string', example: 'dec_01kfcj2p9j1qj20a8tyg0j' },
            eventId: { type: 'string' },
            decision: { type: 'string', enum: ['allow', 'review', 'intercept', 'block'] },
            score: { type: 'number', minimum: 0, maximum: 100 },
            reasons: { type: 'array', items: { type: 'string', example: 'BOT.CLAIM_LATENCY' } },
            rulesetVersion: { type: 'string', example: 'v1' },
          },
        },
        ClaimEvent: {
          type: 'object',
          description: 'A claim as in the event contract (EVENTS.md); `type` may be omitted.',
          required: ['eventId', 'occurredAt', 'claimId', 'couponId', 'campaignId', 'batchId', 'couponTypeId', 'userId', 'channel'],
          properties: {
            eventId: { type: 'string' }, occurredAt: { type: 'string', format: 'date-time' }, claimId: { type: 'string' }, couponId: { type: 'string' },
            campaignId: { type: 'string' }, batchId: { type: 'string' }, couponTypeId: { type: 'string' }, userId: { type: 'string' },
            idHash: { type: 'string' }, phoneHash: { type: 'string' }, deviceId: { type: 'string' }, ip: { type: 'string' },
            lat: { type: 'number' }, lon: { type: 'number' }, userAgent: { type: 'string' },
            channel: { type: 'string', enum: ['alipay', 'unionpay', 'wechat', 'app'] }, accountCreatedAt: { type: 'string', format: 'date-time' },
          },
        },
        RedemptionEvent: {
          type: 'object',
          description: 'A redemption as in the event contract (EVENTS.md); money in integer fen; `type` may be omitted.',
          required: ['eventId', 'occurredAt', 'redemptionId', 'couponId', 'campaignId', 'couponTypeId', 'userId', 'merchantId', 'orderId', 'orderFen', 'discountFen', 'paidFen'],
          properties: {
            eventId: { type: 'string' }, occurredAt: { type: 'string', format: 'date-time' }, redemptionId: { type: 'string' }, couponId: { type: 'string' },
            campaignId: { type: 'string' }, couponTypeId: { type: 'string' }, userId: { type: 'string' }, merchantId: { type: 'string' }, orderId: { type: 'string' },
            orderFen: { type: 'integer', minimum: 0 }, discountFen: { type: 'integer', minimum: 0 }, paidFen: { type: 'integer', minimum: 0 },
            terminalId: { type: 'string' }, cardBin: { type: 'string' }, cardHash: { type: 'string' }, deviceId: { type: 'string' }, ip: { type: 'string' },
            lat: { type: 'number' }, lon: { type: 'number' },
            items: { type: 'array', items: { type: 'object', required: ['sku', 'qty', 'unitPriceFen'], properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 }, unitPriceFen: { type: 'integer', minimum: 0 } } } },
          },
        },
      },
    },
  };
}

function operation(summary: string, body: string): Record<string, unknown> {
  return {
    post: {
      summary,
      tags: ['decisions'],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${body}` } } } },
      responses: {
        '200': { description: 'the decision (a block is a normal answer, not an error)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Decision' } } } },
        '400': { description: 'the body is not a valid event; `field` names the problem', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        '401': { description: 'missing or wrong bearer token', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        '503': { description: 'feature or list store unavailable; retry', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    },
  };
}
