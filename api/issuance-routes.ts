// The issuance HTTP API: campaigns, eligibility, claims, wallets, merchants, 支付立减 redemptions,
// refunds and settlement. Handlers are thin: authorize, parse with zod, call the service, present.
// Denials (sold out, limit reached, refused at checkout) are 200 answers with a tagged `result`;
// bad requests are 4xx AppErrors with a code and the field (api/present-error.ts).
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import type { RiskDecider } from '../core/decision.ts';
import { AppError, invalid, unavailable } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { claimBody, createCampaignBody, eligibilityBody, keyId, ledgerQuery, merchantBody, redeemBody, refundBody } from '../issuance/api-schemas.ts';
import { detectFormat } from '../issuance/eligibility.ts';
import { IssuanceService } from '../issuance/service.ts';
import { summarizeLedger } from '../issuance/settlement.ts';
import type { IssuanceStore } from '../issuance/state/store.ts';
import type { OpenApiFragment, RouteModule } from './app.ts';
import { createAuth, type Role } from './auth.ts';

export interface IssuanceRoutesDeps {
  store: IssuanceStore;
  decider: RiskDecider;
  clock: Clock;
  logger: Logger;
  hmacSecret: string;
  tokens: Partial<Record<Role, string>>;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where = '(body)'): z.infer<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(where, 'must be a JSON object');
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys.join(',') : issue.path.length ? issue.path.join('.') : where;
  throw invalid(field, issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message);
}

function param(req: Request, name: string): string {
  const v = req.params[name];
  const r = keyId.safeParse(v);
  if (!r.success) throw invalid(name, 'must be 1-128 letters, digits or _.:-');
  return r.data;
}

// ioredis failures (server down, retries exhausted, a script error) are infrastructure, not a bug
// in the request: the caller gets a retryable 503 and the log gets the cause.
const REDIS_FAILURE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|MaxRetriesPerRequest|LOADING|NOSCRIPT|BUSY|OOM/;

function infra(err: unknown): never {
  if (err instanceof AppError) throw err;
  const e = err as Error;
  if (e?.name === 'ReplyError' || e?.name === 'MaxRetriesPerRequestError' || REDIS_FAILURE.test(String(e?.message))) throw unavailable('issuance store', err);
  throw err;
}

type Handler = (req: Request, res: Response) => Promise<void>;
const guarded = (h: Handler): Handler => (req, res) => h(req, res).catch(infra);

export function createIssuanceRoutes(deps: IssuanceRoutesDeps): RouteModule & { service: IssuanceService } {
  const service = new IssuanceService(deps);
  const auth = createAuth(deps.tokens);
  const admin = auth.require('admin');
  return {
    name: 'issuance',
    service,
    mount(router: Router) {
      // The router tries its routes in order and claims are the busiest: first, no path overlaps it.
      router.post('/v1/claims', auth.require('issuance'), guarded(async (req, res) => {
        res.json({ result: await service.claim(parse(claimBody, req.body)) });
      }));
      router.post('/v1/campaigns', admin, guarded(async (req, res) => {
        res.status(201).json(await service.createCampaign(parse(createCampaignBody, req.body)));
      }));
      router.get('/v1/campaigns/:campaignId', auth.require('admin', 'issuance'), guarded(async (req, res) => {
        res.json(await service.getCampaign(param(req, 'campaignId')));
      }));
      router.post('/v1/campaigns/:campaignId/publish', admin, guarded(async (req, res) => {
        res.json(await service.publishCampaign(param(req, 'campaignId')));
      }));
      router.get('/v1/campaigns/:campaignId/inventory', auth.require('admin', 'issuance'), guarded(async (req, res) => {
        const inv = await deps.store.inventory(param(req, 'campaignId'));
        if (!inv) throw new AppError('NOT_FOUND', 'no published campaign with this id', { field: 'campaignId' });
        res.json(inv);
      }));
      router.post('/v1/campaigns/:campaignId/eligibility', admin, guarded(async (req, res) => {
        const body = parse(eligibilityBody, req.body);
        res.json(await service.importEligibility(param(req, 'campaignId'), body.content, body.format ?? detectFormat(body.content)));
      }));
      router.get('/v1/campaigns/:campaignId/wallets/:userId', auth.require('issuance', 'admin'), guarded(async (req, res) => {
        res.json({ coupons: await service.wallet(param(req, 'campaignId'), param(req, 'userId')) });
      }));
      router.post('/v1/merchants', admin, guarded(async (req, res) => {
        res.status(201).json(await service.registerMerchant(parse(merchantBody, req.body)));
      }));
      router.post('/v1/merchants/:merchantId/block', admin, guarded(async (req, res) => {
        res.json(await service.blockMerchant(param(req, 'merchantId')));
      }));
      router.post('/v1/users/:userId/block', admin, guarded(async (req, res) => {
        const userId = param(req, 'userId');
        await service.blockUser(userId);
        res.json({ userId, blocked: true });
      }));
      router.post('/v1/redemptions', auth.require('merchant'), guarded(async (req, res) => {
        res.json({ result: await service.redeem(parse(redeemBody, req.body)) });
      }));
      router.post('/v1/refunds', auth.require('merchant'), guarded(async (req, res) => {
        res.json({ result: await service.refund(parse(refundBody, req.body)) });
      }));
      router.get('/v1/settlement/ledger', admin, guarded(async (req, res) => {
        const entries = await service.ledger(parse(ledgerQuery, { ...req.query }, '(query)'));
        res.json({ days: summarizeLedger(entries), entries });
      }));
      router.get('/v1/settlement/holds', admin, guarded(async (_req, res) => {
        res.json({ entries: await service.ledger({ status: 'held' }) });
      }));
      for (const action of ['release', 'clawback'] as const)
        router.post(`/v1/settlement/holds/:orderId/${action}`, admin, guarded(async (req, res) => {
          const r = await service.settleHold(param(req, 'orderId'), action);
          if (r.kind === 'not_found') throw new AppError('NOT_FOUND', 'no redeemed order with this id', { field: 'orderId' });
          if (r.kind === 'not_held') throw new AppError('CONFLICT', `order is ${r.status}, not held`, { field: 'orderId' });
          res.json(r);
        }));
    },
    openapi: issuanceOpenApi(),
  };
}

const schema = (s: z.ZodType) => z.toJSONSchema(s, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (s: unknown) => ({ 'application/json': { schema: s } });
const errors = {
  400: { description: 'Invalid request: `error.code` INVALID_REQUEST and the `error.field`', content: json(ref('Error')) },
  401: { description: 'Missing or unknown bearer token', content: json(ref('Error')) },
  403: { description: 'The token belongs to another role', content: json(ref('Error')) },
  404: { description: 'Unknown campaign, coupon type, merchant or order', content: json(ref('Error')) },
  409: { description: 'Conflict (id in use, order id reused by a different request, wrong state)', content: json(ref('Error')) },
  413: { description: 'Body over 256 kB', content: json(ref('Error')) },
};

function op(summary: string, roles: Role[], opts: { body?: string; ok?: unknown; status?: number; params?: string[]; query?: Record<string, unknown> }) {
  const parameters = [
    ...(opts.params ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } })),
    ...Object.entries(opts.query ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s })),
  ];
  return {
    summary,
    description: `Roles: ${roles.join(', ')}.`,
    tags: ['issuance'],
    ...(parameters.length ? { parameters } : {}),
    ...(opts.body ? { requestBody: { required: true, content: json(ref(opts.body)) } } : {}),
    responses: { [opts.status ?? 200]: { description: 'OK', content: json(opts.ok ?? { type: 'object' }) }, ...errors },
  };
}

function issuanceOpenApi(): OpenApiFragment {
  const tagged = (kinds: string[]) => ({ type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: kinds }, detail: { type: 'string' }, replayed: { type: 'boolean' } }, additionalProperties: true });
  return {
    paths: {
      '/v1/campaigns': { post: op('Create a campaign (draft)', ['admin'], { body: 'CampaignDefinition', status: 201 }) },
      '/v1/campaigns/{campaignId}': { get: op('Get a campaign and its status', ['admin', 'issuance'], { params: ['campaignId'] }) },
      '/v1/campaigns/{campaignId}/publish': { post: op('Publish a campaign: opens stock and budget, emits campaign.published', ['admin'], { params: ['campaignId'] }) },
      '/v1/campaigns/{campaignId}/inventory': { get: op('Remaining stock per coupon type and budget (fen)', ['admin', 'issuance'], { params: ['campaignId'] }) },
      '/v1/campaigns/{campaignId}/eligibility': {
        post: op('Import lottery winners (CSV or JSON); raw IDs and phones are hashed and dropped; returns a report of rejected lines', ['admin'], { params: ['campaignId'], body: 'EligibilityImport', ok: ref('ImportReport') }),
      },
      '/v1/campaigns/{campaignId}/wallets/{userId}': { get: op("A user's coupons in a campaign", ['issuance', 'admin'], { params: ['campaignId', 'userId'] }) },
      '/v1/claims': {
        post: op('Claim a coupon (atomic; idempotent on idempotencyKey)', ['issuance'], {
          body: 'ClaimRequest',
          ok: { type: 'object', properties: { result: ref('ClaimResult') } },
        }),
      },
      '/v1/merchants': { post: op('Register or update a merchant', ['admin'], { body: 'MerchantRequest', status: 201 }) },
      '/v1/merchants/{merchantId}/block': { post: op("Block a merchant: refuses its redemptions and holds its owed subsidy", ['admin'], { params: ['merchantId'] }) },
      '/v1/users/{userId}/block': { post: op('Put a user on the claim block list', ['admin'], { params: ['userId'] }) },
      '/v1/redemptions': {
        post: op('Apply a coupon at checkout (支付立减); idempotent on orderId', ['merchant'], { body: 'RedeemRequest', ok: { type: 'object', properties: { result: ref('RedeemResult') } } }),
      },
      '/v1/refunds': { post: op('Refund an order fully or partly; idempotent on refundId', ['merchant'], { body: 'RefundRequest', ok: { type: 'object', properties: { result: ref('RefundResult') } } }) },
      '/v1/settlement/ledger': {
        get: op('Subsidy owed per merchant per day (fen), with the entries', ['admin'], {
          query: { merchantId: { type: 'string' }, day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, status: { type: 'string', enum: ['owed', 'held', 'clawed_back'] } },
        }),
      },
      '/v1/settlement/holds': { get: op('Held subsidies (intercepted redemptions, blocked merchants)', ['admin'], {}) },
      '/v1/settlement/holds/{orderId}/release': { post: op('Release a held subsidy', ['admin'], { params: ['orderId'] }) },
      '/v1/settlement/holds/{orderId}/clawback': { post: op('Claw back a subsidy (returns it to the budget)', ['admin'], { params: ['orderId'] }) },
    },
    schemas: {
      CampaignDefinition: schema(createCampaignBody),
      EligibilityImport: schema(eligibilityBody),
      ClaimRequest: schema(claimBody),
      RedeemRequest: schema(redeemBody),
      RefundRequest: schema(refundBody),
      MerchantRequest: schema(merchantBody),
      ImportReport: {
        type: 'object',
        properties: {
          campaignId: { type: 'string' }, lines: { type: 'integer' }, granted: { type: 'integer' }, unchanged: { type: 'integer' },
          rejected: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, field: { type: 'string' }, reason: { type: 'string' }, value: { type: 'string', description: 'masked' } } } },
        },
      },
      ClaimResult: tagged(['granted', 'sold_out', 'limit_reached', 'not_eligible', 'not_open', 'duplicate', 'blocked']),
      RedeemResult: tagged(['redeemed', 'refused']),
      RefundResult: tagged(['refunded', 'refused']),
    },
  };
}
