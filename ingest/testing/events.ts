// Realistic valid events from a seeded Rng, for tests, the fuzz test and the benchmark.
import type { Claim, MerchantRegistered, QuanguardEvent, Redemption, Refund } from '../../core/events.ts';
import { CATEGORIES, DISTRICTS } from '../../core/events.ts';
import { toCstIso } from '../../core/clock.ts';
import { newId } from '../../core/ids.ts';
import type { Rng } from '../../core/rng.ts';

export interface EventMixOptions {
  merchants?: number;
  users?: number;
  campaignId?: string;
  startMs?: number;
}

/** Merchants first, then claims, redemptions and some refunds, in time order. */
export function generateEvents(rng: Rng, count: number, opts: EventMixOptions = {}): QuanguardEvent[] {
  const start = opts.startMs ?? Date.parse('2026-01-23T10:00:00.000+08:00');
  const campaignId = opts.campaignId ?? 'cmp_lyg2026spring';
  const merchantIds = Array.from({ length: Math.max(1, Math.min(opts.merchants ?? 200, count)) }, (_, i) => `mch_${String(i).padStart(6, '0')}`);
  const userCount = opts.users ?? 5000;
  const out: QuanguardEvent[] = [];
  let t = start;
  const at = () => toCstIso((t += rng.int(0, 40)));
  for (const merchantId of merchantIds) {
    if (out.length >= count) break;
    const m: MerchantRegistered = {
      eventId: newId('event', t, rng),
      type: 'merchant.registered',
      occurredAt: at(),
      merchantId,
      name: `商户${merchantId.slice(-4)}`,
      category: rng.pick(CATEGORIES),
      district: rng.pick(DISTRICTS),
      lat: 34.6 + rng.next() * 0.2,
      lon: 119.2 + rng.next() * 0.3,
    };
    out.push(m);
  }
  const orders: { orderId: string; merchantId: string; userId: string; paidFen: number }[] = [];
  while (out.length < count) {
    const roll = rng.next();
    const userId = `usr_${String(rng.int(0, userCount - 1)).padStart(7, '0')}`;
    if (roll < 0.45) {
      const c: Claim = {
        eventId: newId('event', t, rng),
        type: 'claim',
        occurredAt: at(),
        claimId: newId('claim', t, rng),
        couponId: newId('coupon', t, rng),
        campaignId,
        batchId: `bat_0${rng.int(1, 4)}`,
        couponTypeId: rng.pick(['cpt_dining50', 'cpt_retail100', 'cpt_super30']),
        userId,
        deviceId: `dev_${rng.hex(12)}`,
        ip: `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
        channel: rng.pick(['alipay', 'unionpay', 'wechat', 'app'] as const),
      };
      out.push(c);
    } else if (roll < 0.95 || orders.length === 0) {
      const orderFen = rng.int(3000, 60000);
      const discountFen = Math.min(orderFen, rng.pick([1000, 2000, 3000, 5000]));
      const merchantId = rng.pick(merchantIds);
      const r: Redemption = {
        eventId: newId('event', t, rng),
        type: 'redemption',
        occurredAt: at(),
        redemptionId: newId('redemption', t, rng),
        couponId: newId('coupon', t, rng),
        campaignId,
        couponTypeId: rng.pick(['cpt_dining50', 'cpt_retail100', 'cpt_super30']),
        userId,
        merchantId,
        orderId: newId('order', t, rng),
        orderFen,
        discountFen,
        paidFen: orderFen - discountFen,
        terminalId: `term_${merchantId.slice(-6)}_${rng.int(1, 3)}`,
        cardBin: rng.pick(['622202', '621700', '436742']),
      };
      orders.push({ orderId: r.orderId, merchantId, userId, paidFen: r.paidFen });
      out.push(r);
    } else {
      const o = rng.pick(orders);
      const f: Refund = {
        eventId: newId('event', t, rng),
        type: 'refund',
        occurredAt: at(),
        refundId: newId('refund', t, rng),
        orderId: o.orderId,
        merchantId: o.merchantId,
        userId: o.userId,
        refundFen: o.paidFen,
        couponReturned: rng.bool(0.5),
      };
      out.push(f);
    }
  }
  return out;
}
