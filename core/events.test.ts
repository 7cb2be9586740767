import { describe, expect, it } from 'vitest';
import { parseEvent, parseEventLine, partitionKey } from './events.ts';

const redemption = {
  eventId: 'evt_1',
  type: 'redemption',
  occurredAt: '2026-01-23T10:00:00.123+08:00',
  redemptionId: 'rdm_1',
  couponId: 'cpn_1',
  campaignId: 'cmp_1',
  couponTypeId: 'cpt_1',
  userId: 'usr_1',
  merchantId: 'mch_1',
  orderId: 'ord_1',
  orderFen: 10000,
  discountFen: 3000,
  paidFen: 7000,
};

describe('event contract', () => {
  it('accepts a valid redemption and keys it by merchant', () => {
    const r = parseEvent(redemption);
    expect(r.ok).toBe(true);
    if (r.ok) expect(partitionKey(r.event)).toBe('mch_1');
  });

  it.each([
    ['a float amount', { orderFen: 100.5 }, 'orderFen'],
    ['a string amount', { orderFen: '10000' }, 'orderFen'],
    ['a negative amount', { discountFen: -1 }, 'discountFen'],
    ['paid not equal to order minus discount', { paidFen: 6999 }, 'paidFen'],
    ['a time without offset', { occurredAt: '2026-01-23T10:00:00.123' }, 'occurredAt'],
    ['an impossible time', { occurredAt: '2026-02-31T10:00:00.000+08:00' }, 'occurredAt'],
    ['a missing merchant', { merchantId: undefined }, 'merchantId'],
  ])('rejects %s naming the field', (_label, patch, field) => {
    const r = parseEvent({ ...redemption, ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.field).toBe(field);
      expect(r.problem.reason.length).toBeGreaterThan(3);
      expect(r.eventId).toBe('evt_1');
    }
  });

  it('rejects an unknown type with the known ones listed', () => {
    const r = parseEvent({ ...redemption, type: 'payout' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.field).toBe('type');
      expect(r.problem.reason).toContain('unknown event type "payout"');
    }
  });

  it('rejects a line that is not JSON without throwing', () => {
    const r = parseEventLine('{"eventId": ');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.field).toBe('(line)');
  });

  it('rejects non-objects', () => {
    for (const v of [null, 42, 'x', [1, 2]]) expect(parseEvent(v).ok).toBe(false);
  });
});
