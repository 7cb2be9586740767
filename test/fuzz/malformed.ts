// A seeded generator of malformed NDJSON lines, each distinct and each wrong in a known way, built
// by breaking valid events. `field` is the field the refusal must name (when it is determinate).
import type { QuanguardEvent } from '../../core/events.ts';
import type { Rng } from '../../core/rng.ts';

export interface MalformedLine {
  kind: string;
  line: string;
  /** The field the dead letter must name; undefined when several answers are right. */
  field?: string;
}

const REQUIRED: Record<string, string[]> = {
  claim: ['claimId', 'couponId', 'campaignId', 'batchId', 'couponTypeId', 'userId', 'channel', 'eventId', 'occurredAt'],
  redemption: ['redemptionId', 'couponId', 'campaignId', 'couponTypeId', 'userId', 'merchantId', 'orderId', 'orderFen', 'discountFen', 'paidFen', 'eventId', 'occurredAt'],
  refund: ['refundId', 'orderId', 'merchantId', 'userId', 'refundFen', 'couponReturned', 'eventId', 'occurredAt'],
  'merchant.registered': ['merchantId', 'name', 'category', 'district', 'lat', 'lon', 'eventId', 'occurredAt'],
};
const FEN: Record<string, string[]> = { redemption: ['orderFen', 'discountFen', 'paidFen'], refund: ['refundFen'] };

const BAD_TIMES = [
  '2026-02-30T10:00:00.000+08:00',
  '2026-01-23T24:00:00.000+08:00',
  '2026-01-23 10:00:00',
  '2026-01-23T10:00:00.000',
  '2026-13-01T10:00:00.000+08:00',
  '2026-01-23T10:61:00.000+08:00',
  '23/01/2026 10:00',
  '2400-01-01T00:00:00.000+08:00',
  '1800-06-01T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '2026-01-23T10:00:00.000+8',
  '',
];

const WRONG_VALUES: unknown[] = [null, true, 0, -1, 'text', [], {}, [1, 2], { nested: { deeper: [null] } }];

function nested(rng: Rng, depth: number): unknown {
  if (depth === 0) return rng.pick([null, 1, 'x', true, -0.5]);
  return rng.bool() ? [nested(rng, depth - 1), nested(rng, depth - 1)] : { [`k${rng.int(0, 9)}`]: nested(rng, depth - 1) };
}

/** One malformed line per call; `i` makes it distinct from every other line generated. */
export function malformedLine(rng: Rng, base: QuanguardEvent, i: number): MalformedLine {
  const e: Record<string, unknown> = { ...base, eventId: `evt_fuzz${i}` };
  const json = () => JSON.stringify(e);
  const kind = rng.int(0, 13);
  switch (kind) {
    case 0: {
      const s = json();
      // Cut after the distinct eventId, so no two truncated lines are the same bytes.
      const from = s.indexOf(`evt_fuzz${i}"`) + `evt_fuzz${i}"`.length;
      return { kind: 'truncated JSON', line: s.slice(0, rng.int(from, s.length - 1)), field: '(line)' };
    }
    case 1: {
      // Garbage right after a key's colon: outside any string, so the line can never parse.
      const s = json();
      const colons = [...s.matchAll(/"[A-Za-z]+":/g)].map((m) => m.index! + m[0].length);
      const at = rng.pick(colons);
      return { kind: 'garbage in JSON', line: s.slice(0, at) + rng.pick(['\u0000', '}', '{', ',,', '\\', 'NaN', 'undefined', "'x'"]) + s.slice(at), field: '(line)' };
    }
    case 2: {
      const fields = REQUIRED[base.type] ?? ['eventId'];
      const f = rng.pick(fields);
      delete e[f];
      if (f === 'eventId') e.note = `fuzz${i}`;
      return { kind: 'missing field', line: json(), field: f };
    }
    case 3: {
      const fields = (REQUIRED[base.type] ?? ['eventId']).filter((f) => f !== 'eventId');
      const f = rng.pick(fields);
      // A value of another JSON type than the field's own, so it can never be right.
      e[f] = rng.pick(WRONG_VALUES.filter((v) => typeof v !== typeof e[f] || (typeof v === 'object') !== (typeof e[f] === 'object')));
      return { kind: 'wrong type', line: json(), field: f };
    }
    case 4: {
      const fen = FEN[base.type];
      if (!fen) {
        e.type = `claim.${i}`;
        return { kind: 'unknown type', line: json(), field: 'type' };
      }
      const f = rng.pick(fen);
      e[f] = rng.pick([0.5, 100.25, 1e-3, 12.5]) + rng.int(0, 1000);
      return { kind: 'float fen', line: json(), field: f };
    }
    case 5: {
      const fen = FEN[base.type];
      const f = fen ? rng.pick(fen) : 'lat';
      e[f] = fen ? -rng.int(1, 10_000) : 91 + rng.int(0, 100);
      if (fen && f !== 'paidFen') return { kind: 'negative fen', line: json(), field: f };
      return { kind: 'negative or out-of-range number', line: json(), field: undefined };
    }
    case 6:
      e.type = rng.pick(['coupon.melted', 'CLAIM', 'claim ', '', 'redemption.v2', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) + (rng.bool() ? '' : String(i));
      if (e.type === '') e.n = i;
      return { kind: 'unknown type', line: json(), field: 'type' };
    case 7:
      e.occurredAt = rng.pick(BAD_TIMES);
      return { kind: 'invalid time', line: json(), field: 'occurredAt' };
    case 8:
      e[rng.pick((REQUIRED[base.type] ?? ['eventId']).filter((f) => !['eventId', 'occurredAt', 'lat', 'lon', 'orderFen', 'discountFen', 'paidFen', 'refundFen', 'couponReturned', 'category', 'district', 'channel', 'name'].includes(f)))] = 'x'.repeat(rng.int(129, 5000));
      return { kind: 'over-long string field', line: json(), field: undefined };
    case 9:
      e.userAgent = 'A'.repeat(rng.int(70_000, 200_000));
      return { kind: 'huge line', line: json(), field: '(line)' };
    case 10:
      return { kind: 'not an object', line: JSON.stringify(rng.pick([[i, 'x'], `evt ${i}`, i + 0.5, [{ eventId: `evt_${i}` }]])), field: '(root)' };
    case 11: {
      const f = rng.pick((REQUIRED[base.type] ?? ['eventId']).filter((x) => x !== 'eventId'));
      e[f] = nested(rng, rng.int(3, 8));
      return { kind: 'nested garbage', line: json(), field: f };
    }
    case 12:
      e.type = rng.pick([42, null, ['claim'], { t: 'claim' }, true]);
      return { kind: 'type not a string', line: json(), field: 'type' };
    default:
      e.eventId = rng.pick(['', 'e'.repeat(129), 7, null]);
      e.n = i;
      return { kind: 'bad eventId', line: json(), field: 'eventId' };
  }
}
