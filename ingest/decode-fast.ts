// A precompiled acceptance check for the three high-volume event types (claim, redemption, refund:
// ~99% of the stream). Profiling `npm run bench -- ingest` showed zod at about a third of the
// ingester's main-thread time. This check only ever says "certainly valid": anything it does not
// recognise (an unknown or duplicate-looking key, a null, an odd number, another type) goes to the
// zod schemas in core/events.ts, which stay the one authority and word every dead letter's field
// and reason. So a bug here can only cost speed, never let a bad event in, provided it is never
// looser than zod: decode-fast.test.ts checks that against the schemas on generated and mutated
// events.
//
// On success the parsed JSON object itself is the event: it has no key beyond the schema's (zod
// would strip unknown keys; here they send the event to zod instead) and every value is what zod
// would return unchanged (the schemas have no transforms or defaults).
import type { QuanguardEvent } from '../core/events.ts';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const HEX_HASH = /^[0-9a-f]{16,128}$/;
const IP = /^[0-9a-fA-F.:]{3,45}$/;
const CARD_BIN = /^\d{4,8}$/;
const CHANNELS = new Set(['alipay', 'unionpay', 'wechat', 'app']);

const isId = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= 128;
const isFen = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isLat = (v: unknown): boolean => typeof v === 'number' && v >= -90 && v <= 90;
const isLon = (v: unknown): boolean => typeof v === 'number' && v >= -180 && v <= 180;
const isHex = (v: unknown): boolean => typeof v === 'string' && HEX_HASH.test(v);
const isIp = (v: unknown): boolean => typeof v === 'string' && IP.test(v);

// DateTime64(3) stores 1900-01-01 to 2299-12-31 (decode.ts refuses other times with a reason).
export const MIN_STORABLE_MS = Date.UTC(1900, 0, 1);
export const MAX_STORABLE_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

/** Two ASCII digits at i as a number (the regex has already made sure they are digits). */
const two = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A valid contract time that the tables can store. Out-of-range times are not "certainly valid"
 * here, so they go to zod and decode.ts words their dead letter as before; a time accepted here
 * needs no second range check (decode.ts skips it for fast-path events). Digits are read with
 * charCodeAt, not sliced and converted: this runs once or twice per event.
 */
function isTime(v: unknown): boolean {
  if (typeof v !== 'string' || !ISO_WITH_OFFSET.test(v)) return false;
  const y = two(v, 0) * 100 + two(v, 2), mo = two(v, 5), d = two(v, 8);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : DAYS[mo - 1]!)) return false;
  if (two(v, 11) > 23 || two(v, 14) > 59 || two(v, 17) > 59) return false;
  const ms = Date.parse(v);
  return ms >= MIN_STORABLE_MS && ms <= MAX_STORABLE_MS;
}

type Check = (v: unknown) => boolean;

function isItems(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const item of v) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
    let keys = 0;
    for (const k in item) {
      if (!Object.hasOwn(item, k)) return false;
      keys++;
      const x = (item as Record<string, unknown>)[k];
      const ok = k === 'sku' ? isId(x) : k === 'qty' ? typeof x === 'number' && Number.isSafeInteger(x) && x >= 1 : k === 'unitPriceFen' ? isFen(x) : false;
      if (!ok) return false;
    }
    if (keys !== 3) return false;
  }
  return true;
}

interface Shape {
  required: Record<string, Check>;
  optional: Record<string, Check>;
  extra?: (e: Record<string, unknown>) => boolean;
}

const envelope = { eventId: isId, occurredAt: isTime };

const SHAPES: Record<string, Shape> = {
  claim: {
    required: { ...envelope, type: () => true, claimId: isId, couponId: isId, campaignId: isId, batchId: isId, couponTypeId: isId, userId: isId, channel: (v) => typeof v === 'string' && CHANNELS.has(v) },
    optional: { idHash: isHex, phoneHash: isHex, deviceId: isId, ip: isIp, lat: isLat, lon: isLon, userAgent: (v) => typeof v === 'string' && v.length <= 512, accountCreatedAt: isTime },
  },
  redemption: {
    required: { ...envelope, type: () => true, redemptionId: isId, couponId: isId, campaignId: isId, couponTypeId: isId, userId: isId, merchantId: isId, orderId: isId, orderFen: isFen, discountFen: isFen, paidFen: isFen },
    optional: { terminalId: isId, cardBin: (v) => typeof v === 'string' && CARD_BIN.test(v), cardHash: isHex, deviceId: isId, ip: isIp, lat: isLat, lon: isLon, items: isItems },
    extra: (e) => (e.discountFen as number) <= (e.orderFen as number) && e.paidFen === (e.orderFen as number) - (e.discountFen as number),
  },
  refund: {
    required: { ...envelope, type: () => true, refundId: isId, orderId: isId, merchantId: isId, userId: isId, refundFen: isFen, couponReturned: (v) => typeof v === 'boolean' },
    optional: {},
  },
};
const REQUIRED_COUNT = Object.fromEntries(Object.entries(SHAPES).map(([t, s]) => [t, Object.keys(s.required).length]));

/** The event, when `raw` is certainly a valid claim, redemption or refund; otherwise undefined (ask zod). */
export function fastEvent(raw: unknown): QuanguardEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const e = raw as Record<string, unknown>;
  const type = e.type;
  if (type !== 'claim' && type !== 'redemption' && type !== 'refund') return undefined;
  const shape = SHAPES[type]!;
  let required = 0;
  for (const k in e) {
    // JSON.parse makes plain objects; an inherited key would mean something else built this value.
    if (!Object.hasOwn(e, k)) return undefined;
    const req = Object.hasOwn(shape.required, k) ? shape.required[k] : undefined;
    if (req) {
      if (!req(e[k])) return undefined;
      required++;
      continue;
    }
    const opt = Object.hasOwn(shape.optional, k) ? shape.optional[k] : undefined;
    if (!opt || !opt(e[k])) return undefined;
  }
  if (required !== REQUIRED_COUNT[type]) return undefined;
  if (shape.extra && !shape.extra(e)) return undefined;
  return e as unknown as QuanguardEvent;
}
