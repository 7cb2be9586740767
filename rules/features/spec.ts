// Windowed features are data: a rule set names each one (entity, what it aggregates, over which
// window) and rules read them by name. The engine turns a spec and an event into a store op.
import { z } from 'zod';
import type { QuanguardEvent } from '../../core/events.ts';
import type { EventFacts } from '../types.ts';

export const ENTITY_KINDS = ['user', 'idHash', 'device', 'ip24', 'phone', 'card', 'merchant', 'merchantUser', 'merchantAmount'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export const NUMERIC_FIELDS = ['orderFen', 'discountFen', 'refundFen', 'lat', 'lon', 'located', 'thresholdHug'] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];
export const MEMBER_FIELDS = ['user', 'idHash', 'device', 'ip24', 'phone', 'card', 'merchant'] as const;
export type MemberField = (typeof MEMBER_FIELDS)[number];

export const featureSpecSchema = z
  .object({
    entity: z.enum(ENTITY_KINDS),
    on: z.array(z.enum(['claim', 'redemption', 'refund'])).min(1, { error: 'needs at least one event type' }),
    agg: z.enum(['count', 'sum', 'distinct']),
    field: z.string().optional(),
    windowMs: z.number().int().min(1000, { error: 'must be at least 1000 ms' }),
    /** Resolution of the sliding window: it spans between windowMs*(1-1/buckets) and windowMs. */
    buckets: z.number().int().min(1).max(240).default(30),
    /** For thresholdHug: how far above the coupon threshold an order still "hugs" it, in percent. */
    slackPct: z.number().min(0).max(100).default(5),
  })
  .superRefine((s, ctx) => {
    if (s.agg === 'sum' && !(NUMERIC_FIELDS as readonly string[]).includes(s.field ?? ''))
      ctx.addIssue({ code: 'custom', path: ['field'], message: `sum needs field, one of ${NUMERIC_FIELDS.join(', ')}` });
    if (s.agg === 'distinct' && !(MEMBER_FIELDS as readonly string[]).includes(s.field ?? ''))
      ctx.addIssue({ code: 'custom', path: ['field'], message: `distinct needs field, one of ${MEMBER_FIELDS.join(', ')}` });
  });
export type FeatureSpec = z.infer<typeof featureSpecSchema>;

/** IPv4 /24 ("10.1.2") or IPv6 /64 (first four groups): accounts behind one range. */
export function ipRange(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  if (ip.includes('.')) {
    const last = ip.lastIndexOf('.');
    return last > 0 ? ip.slice(0, last) : ip;
  }
  return ip.toLowerCase().split(':').slice(0, 4).join(':');
}

type AnyEvent = QuanguardEvent & Partial<Record<'userId' | 'idHash' | 'deviceId' | 'ip' | 'phoneHash' | 'cardHash' | 'merchantId', string>>;

/** Kinds whose key is two parts, `${head}>${tail}` (FeatureOp.entityTail). */
export function isPairKind(kind: string): boolean {
  return kind === 'merchantUser' || kind === 'merchantAmount';
}

/** The second part of a pair kind's key (call when entityOf's head is defined). */
export function entityTailOf(e: AnyEvent, kind: EntityKind): string | number | undefined {
  if (kind === 'merchantUser') return e.userId;
  if (kind === 'merchantAmount') return e.type === 'redemption' ? e.orderFen : undefined;
  return undefined;
}

/** The key of a pair kind's head: the merchant, when the event carries the whole pair. */
export function entityHeadOf(e: AnyEvent, kind: EntityKind): string | undefined {
  if (kind === 'merchantUser') return e.merchantId !== undefined && e.userId !== undefined ? e.merchantId : undefined;
  if (kind === 'merchantAmount') return e.type === 'redemption' ? e.merchantId : undefined;
  return entityOf(e, kind);
}

/** The entity key of an event for a kind, or undefined when the event does not carry it. */
export function entityOf(e: AnyEvent, kind: EntityKind | MemberField): string | undefined {
  switch (kind) {
    case 'user':
      return e.userId;
    case 'idHash':
      return e.idHash;
    case 'device':
      return e.deviceId;
    case 'ip24':
      return ipRange(e.ip);
    case 'phone':
      return e.phoneHash;
    case 'card':
      return e.cardHash;
    case 'merchant':
      return e.merchantId;
    case 'merchantUser':
    case 'merchantAmount': {
      // The joined form, as a store keyed by strings holds it (FeatureOp.entityTail).
      const head = entityHeadOf(e, kind);
      return head === undefined ? undefined : `${head}>${entityTailOf(e, kind)}`;
    }
  }
}

/** The number an event adds to a sum feature; NaN when it adds nothing. */
export function numericOf(e: QuanguardEvent, spec: FeatureSpec, facts: EventFacts): number {
  switch (spec.field as NumericField) {
    case 'orderFen':
      return e.type === 'redemption' ? e.orderFen : NaN;
    case 'discountFen':
      return e.type === 'redemption' ? e.discountFen : NaN;
    case 'refundFen':
      return e.type === 'refund' ? e.refundFen : NaN;
    case 'lat':
      return (e as { lat?: number }).lat ?? NaN;
    case 'lon':
      return (e as { lon?: number }).lon ?? NaN;
    case 'located':
      return (e as { lat?: number }).lat !== undefined ? 1 : NaN;
    case 'thresholdHug': {
      if (e.type !== 'redemption' || facts.thresholdFen === null || facts.thresholdFen <= 0) return 0;
      const slack = e.orderFen - facts.thresholdFen;
      return slack >= 0 && slack <= (facts.thresholdFen * spec.slackPct) / 100 ? 1 : 0;
    }
  }
  return NaN;
}
