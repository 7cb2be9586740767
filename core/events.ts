// The event contract v1 (../shared/contract/EVENTS.md) as zod schemas: the one place that says what
// an event is. Every boundary (bus, replay file, API, store rows) parses through here.
import { z } from 'zod';

export const CATEGORIES = ['dining', 'retail', 'supermarket', 'mall', 'department_store', 'lodging', 'entertainment'] as const;
export const DISTRICTS = ['haizhou', 'lianyun', 'ganyu', 'donghai', 'guanyun', 'guannan', 'other'] as const;
export const EVENT_TYPES = [
  'campaign.published',
  'merchant.registered',
  'eligibility.granted',
  'price.observed',
  'claim',
  'redemption',
  'refund',
] as const;
export const FRAUD_TYPES = ['bot_claiming', 'cash_out', 'hoarding', 'subsidy_fraud', 'price_gouging'] as const;

export type Category = (typeof CATEGORIES)[number];
export type District = (typeof DISTRICTS)[number];
export type EventType = (typeof EVENT_TYPES)[number];
export type FraudType = (typeof FRAUD_TYPES)[number];

// ISO-8601 with an explicit offset (Z or ±hh:mm); fractions up to nanoseconds are accepted and
// read at millisecond precision.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
export const isoTime = z
  .string({ error: 'must be an ISO-8601 time string with offset' })
  .regex(ISO_WITH_OFFSET, { error: 'must be ISO-8601 with offset, e.g. 2026-01-23T10:00:00.123+08:00' })
  .refine(isRealCalendarTime, { error: 'is not a real calendar time' });

function isRealCalendarTime(s: string): boolean {
  const y = Number(s.slice(0, 4)), mo = Number(s.slice(5, 7)), d = Number(s.slice(8, 10));
  const h = Number(s.slice(11, 13)), mi = Number(s.slice(14, 16)), se = Number(s.slice(17, 19));
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && se < 60 && !Number.isNaN(Date.parse(s));
}

/** Integer fen, never negative, never a float or a string. */
export const fen = z
  .number({ error: 'must be a number of fen (integer)' })
  .int({ error: 'must be an integer number of fen (1 yuan = 100 fen)' })
  .nonnegative({ error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

const id = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(128, { error: 'is longer than 128 characters' });
const hexHash = z.string({ error: 'must be a hex string' }).regex(/^[0-9a-f]{16,128}$/, { error: 'must be a lowercase hex HMAC digest' });
const lat = z.number({ error: 'must be a number' }).min(-90).max(90);
const lon = z.number({ error: 'must be a number' }).min(-180).max(180);
export const category = z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` });
export const district = z.enum(DISTRICTS, { error: `must be one of ${DISTRICTS.join(', ')}` });
const count = z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).nonnegative({ error: 'must not be negative' });

const envelope = { eventId: id, occurredAt: isoTime };

export const couponTypeSchema = z.object({
  couponTypeId: id,
  kind: z.enum(['threshold', 'no_threshold', 'lodging']),
  thresholdFen: fen,
  discountFen: fen,
  quantity: count,
  categories: z.array(category),
});

export const batchSchema = z.object({
  batchId: id,
  dropAt: isoTime,
  validUntil: isoTime,
  coupons: z.array(couponTypeSchema).min(1, { error: 'a batch needs at least one coupon type' }),
});

export const REFUND_POLICIES = ['return_if_full_refund_within_validity', 'never_return', 'return_to_pool'] as const;

export const campaignPublishedSchema = z.object({
  ...envelope,
  type: z.literal('campaign.published'),
  campaignId: id,
  name: z.string().min(1),
  startsAt: isoTime,
  endsAt: isoTime,
  budgetFen: fen,
  batches: z.array(batchSchema),
  limits: z.object({ perPerson: count, perPersonPerType: count, perPersonPerBatch: count }),
  cardBins: z.array(z.string().regex(/^\d{4,8}$/, { error: 'must be 4 to 8 digits' })).optional(),
  geoFence: z.object({ lat, lon, radiusKm: z.number().positive() }).optional(),
  refundPolicy: z.enum(REFUND_POLICIES),
  // Optional extensions (allowed by the contract): the districts the campaign covers.
  districts: z.array(district).optional(),
});

export const merchantRegisteredSchema = z.object({
  ...envelope,
  type: z.literal('merchant.registered'),
  merchantId: id,
  name: z.string().min(1),
  category,
  district,
  lat,
  lon,
  ownerIdHash: hexHash.optional(),
  settlementAccountHash: hexHash.optional(),
  terminalIds: z.array(id).optional(),
});

export const eligibilityGrantedSchema = z.object({
  ...envelope,
  type: z.literal('eligibility.granted'),
  campaignId: id,
  userId: id,
  idHash: hexHash,
  phoneHash: hexHash,
});

export const priceObservedSchema = z.object({
  ...envelope,
  type: z.literal('price.observed'),
  merchantId: id,
  sku: id,
  name: z.string().optional(),
  priceFen: fen,
  source: z.enum(['baseline', 'menu', 'pos']),
});

export const CHANNELS = ['alipay', 'unionpay', 'wechat', 'app'] as const;

export const claimSchema = z.object({
  ...envelope,
  type: z.literal('claim'),
  claimId: id,
  couponId: id,
  campaignId: id,
  batchId: id,
  couponTypeId: id,
  userId: id,
  idHash: hexHash.optional(),
  phoneHash: hexHash.optional(),
  deviceId: id.optional(),
  ip: z.string().regex(/^[0-9a-fA-F.:]{3,45}$/, { error: 'must be an IPv4 or IPv6 address' }).optional(),
  lat: lat.optional(),
  lon: lon.optional(),
  userAgent: z.string().max(512).optional(),
  channel: z.enum(CHANNELS),
  accountCreatedAt: isoTime.optional(),
});

export const itemSchema = z.object({ sku: id, qty: count.min(1, { error: 'must be at least 1' }), unitPriceFen: fen });

export const redemptionSchema = z
  .object({
    ...envelope,
    type: z.literal('redemption'),
    redemptionId: id,
    couponId: id,
    campaignId: id,
    couponTypeId: id,
    userId: id,
    merchantId: id,
    orderId: id,
    orderFen: fen,
    discountFen: fen,
    paidFen: fen,
    terminalId: id.optional(),
    cardBin: z.string().regex(/^\d{4,8}$/, { error: 'must be 4 to 8 digits' }).optional(),
    cardHash: hexHash.optional(),
    deviceId: id.optional(),
    ip: z.string().regex(/^[0-9a-fA-F.:]{3,45}$/, { error: 'must be an IPv4 or IPv6 address' }).optional(),
    lat: lat.optional(),
    lon: lon.optional(),
    items: z.array(itemSchema).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.discountFen > e.orderFen) ctx.addIssue({ code: 'custom', path: ['discountFen'], message: 'must not exceed orderFen' });
    else if (e.paidFen !== e.orderFen - e.discountFen)
      ctx.addIssue({ code: 'custom', path: ['paidFen'], message: 'must equal orderFen - discountFen' });
  });

export const refundSchema = z.object({
  ...envelope,
  type: z.literal('refund'),
  refundId: id,
  orderId: id,
  merchantId: id,
  userId: id,
  refundFen: fen,
  couponReturned: z.boolean({ error: 'must be true or false' }),
});

export const SCHEMAS = {
  'campaign.published': campaignPublishedSchema,
  'merchant.registered': merchantRegisteredSchema,
  'eligibility.granted': eligibilityGrantedSchema,
  'price.observed': priceObservedSchema,
  claim: claimSchema,
  redemption: redemptionSchema,
  refund: refundSchema,
} as const;

export type CampaignPublished = z.infer<typeof campaignPublishedSchema>;
export type CouponType = z.infer<typeof couponTypeSchema>;
export type Batch = z.infer<typeof batchSchema>;
export type MerchantRegistered = z.infer<typeof merchantRegisteredSchema>;
export type EligibilityGranted = z.infer<typeof eligibilityGrantedSchema>;
export type PriceObserved = z.infer<typeof priceObservedSchema>;
export type Claim = z.infer<typeof claimSchema>;
export type Redemption = z.infer<typeof redemptionSchema>;
export type Refund = z.infer<typeof refundSchema>;
export type Item = z.infer<typeof itemSchema>;
export type QuanguardEvent = CampaignPublished | MerchantRegistered | EligibilityGranted | PriceObserved | Claim | Redemption | Refund;

/** Why an event was refused: the field (dotted path) and a sentence a producer can act on. */
export interface EventProblem {
  field: string;
  reason: string;
}

export type ParseResult = { ok: true; event: QuanguardEvent } | { ok: false; problem: EventProblem; eventId?: string; type?: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses an already-decoded JSON value. Never throws. */
export function parseEvent(raw: unknown): ParseResult {
  if (!isRecord(raw)) return { ok: false, problem: { field: '(root)', reason: 'must be a JSON object' } };
  const eventId = typeof raw.eventId === 'string' ? raw.eventId : undefined;
  const type = typeof raw.type === 'string' ? raw.type : undefined;
  if (type === undefined) return { ok: false, eventId, problem: { field: 'type', reason: 'is missing or not a string' } };
  // Own keys only: "__proto__" or "constructor" must read as unknown types, not as Object.prototype members.
  const schema = Object.hasOwn(SCHEMAS, type) ? (SCHEMAS as Record<string, z.ZodType<QuanguardEvent>>)[type] : undefined;
  if (!schema) return { ok: false, eventId, type, problem: { field: 'type', reason: `unknown event type "${type.slice(0, 64)}"; known: ${EVENT_TYPES.join(', ')}` } };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : '(root)';
  return { ok: false, eventId, type, problem: { field, reason: issue.message } };
}

/** Parses one NDJSON line. Never throws. */
export function parseEventLine(line: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    return { ok: false, problem: { field: '(line)', reason: `is not valid JSON: ${(err as Error).message.slice(0, 120)}` } };
  }
  return parseEvent(raw);
}

/** The entity whose events must stay in order: a partition key for the bus. */
export function partitionKey(e: QuanguardEvent): string {
  switch (e.type) {
    case 'campaign.published':
      return e.campaignId;
    case 'merchant.registered':
    case 'price.observed':
      return e.merchantId;
    case 'eligibility.granted':
    case 'claim':
      return e.userId;
    // A redemption or refund touches a user and a merchant; keying on the merchant keeps a merchant's
    // stream ordered (what cash-out windows need); a user's claims are keyed on the user.
    case 'redemption':
    case 'refund':
      return e.merchantId;
  }
}

export function epochMs(iso: string): number {
  return Date.parse(iso);
}
