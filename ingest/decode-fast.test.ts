// The fast path may only ever be stricter than zod: whatever it accepts, zod accepts with the same
// result. Checked on generated valid events, on the fuzz suite's malformed lines and on every field
// of valid events replaced by awkward values.
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../core/events.ts';
import { Rng } from '../core/rng.ts';
import { malformedLine } from '../test/fuzz/malformed.ts';
import { fastEvent, MAX_STORABLE_MS, MIN_STORABLE_MS } from './decode-fast.ts';
import { decodeMessage } from './decode.ts';
import { generateEvents } from './testing/events.ts';

const AWKWARD: unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 53, -0, 1e308, '', 'x', 'x'.repeat(129), 'x'.repeat(513), [], {}, [1],
  '2026-02-30T10:00:00.000+08:00', '2026-01-23T24:00:00+08:00', '2026-01-23T10:00:00.000Z', '2026-01-23T10:00:00.123456789+08:00',
  'ABCDEF0123456789', 'abcdef0123456789', '1.2.3.4', '::1', '12345', '123', 'wechat', 'alipay ',
  [{ sku: 's', qty: 1, unitPriceFen: 1 }], [{ sku: 's', qty: 0, unitPriceFen: 1 }], [{ sku: 's', qty: 1, unitPriceFen: 1, x: 1 }], [{ sku: 's', qty: 1 }], [null],
];

function agreesWithZod(raw: unknown): void {
  const fast = fastEvent(raw);
  if (fast === undefined) return;
  const zod = parseEvent(raw);
  expect(zod.ok, `fast path accepted what zod refuses: ${JSON.stringify(raw)?.slice(0, 300)} → ${JSON.stringify(zod)}`).toBe(true);
  if (zod.ok) expect(fast).toEqual(zod.event);
}

describe('fastEvent', () => {
  const events = generateEvents(new Rng('decode-fast'), 3000, { merchants: 50, users: 300 });

  it('accepts the common valid events, exactly as zod returns them', () => {
    let accepted = 0;
    for (const e of events) {
      const raw = JSON.parse(JSON.stringify(e)) as unknown;
      if (e.type === 'claim' || e.type === 'redemption' || e.type === 'refund') {
        expect(fastEvent(raw), e.type).toBeDefined();
        accepted++;
      }
      agreesWithZod(raw);
    }
    expect(accepted).toBeGreaterThan(2500);
  });

  it('never accepts a malformed line zod refuses', () => {
    const rng = new Rng('decode-fast-malformed');
    for (let i = 0; i < 5000; i++) {
      const { line } = malformedLine(rng, rng.pick(events), i);
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        continue;
      }
      agreesWithZod(raw);
    }
  });

  it('never accepts a field zod refuses, field by field', () => {
    const samples = ['claim', 'redemption', 'refund'].map((t) => events.find((e) => e.type === t)!);
    for (const base of samples) {
      const keys = [...Object.keys(base), 'extra', '__proto__', 'items', 'accountCreatedAt', 'lat', 'ip', 'cardBin', 'userAgent'];
      for (const key of keys) {
        for (const value of AWKWARD) {
          const raw = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
          raw[key] = value;
          agreesWithZod(JSON.parse(JSON.stringify(raw)));
          delete raw[key];
          agreesWithZod(JSON.parse(JSON.stringify(raw)));
        }
      }
    }
    // A raw "__proto__" key (own property after JSON.parse) must not be taken as valid.
    const claim = JSON.stringify(samples[0]).replace(/^\{/, '{"__proto__":{"x":1},');
    expect(fastEvent(JSON.parse(claim))).toBeUndefined();
  });

  // decode.ts checks the storable range (1900-2299) only for zod's events, so every time the fast
  // path accepts must be a valid contract time inside that range, and a time outside it must still
  // be dead-lettered with the same field and reason.
  it('accepts only valid, storable times; the others get zod and the same dead letter as before', () => {
    const times = [
      '2026-01-23T10:00:00.000+08:00', '2024-02-29T00:00:00Z', '2000-02-29T23:59:59.999+14:00', '1900-03-01T00:00:00Z', '2299-12-31T23:59:59.999Z',
      '2023-02-29T10:00:00Z', '2100-02-29T10:00:00Z', '1900-02-29T10:00:00Z', '2026-04-31T10:00:00Z', '2026-13-01T10:00:00Z', '2026-00-10T10:00:00Z',
      '2026-01-00T10:00:00Z', '2026-01-23T23:60:00Z', '2026-01-23T23:00:60Z', '2026-01-23T10:00:00+24:00', '2026-01-23T10:00:00+08:60',
      '1899-12-31T23:59:59.999Z', '1900-01-01T07:00:00+08:00', '1900-01-01T00:00:00.000-01:00', '2299-12-31T23:59:59.999-01:00', '2300-01-01T00:00:00Z', '0000-02-29T00:00:00Z', '9999-12-31T00:00:00Z',
    ];
    const claim = events.find((e) => e.type === 'claim')!;
    let accepted = 0;
    for (const at of times) {
      for (const field of ['occurredAt', 'accountCreatedAt']) {
        const raw = JSON.parse(JSON.stringify({ ...claim, [field]: at })) as Record<string, unknown>;
        agreesWithZod(raw);
        const ms = Date.parse(at);
        const storable = ms >= MIN_STORABLE_MS && ms <= MAX_STORABLE_MS;
        if (fastEvent(raw)) {
          accepted++;
          expect(storable, `${field} ${at}`).toBe(true);
        }
        const decoded = decodeMessage({ topic: 't', partition: 0, offset: '0', key: 'k', value: JSON.stringify(raw) });
        const zod = parseEvent(raw);
        if (!zod.ok) expect('deadLetter' in decoded, `${field} ${at}`).toBe(true);
        else if (!storable) expect(decoded, `${field} ${at}`).toMatchObject({ deadLetter: { problem: { field, reason: 'must be between 1900-01-01 and 2299-12-31' } } });
        else expect(decoded, `${field} ${at}`).toEqual({ event: zod.event });
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(10);
  });
});
