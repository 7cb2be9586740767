// Seeded synthetic traffic for the decide benchmark: a campaign, shops with prices, then claims
// and redemptions from a city of users (a few farms and colluding shops among them), in time order.
import { toCstIso } from '../core/clock.ts';
import type { Claim, QuanguardEvent, Redemption } from '../core/events.ts';
import { Rng } from '../core/rng.ts';

const DROP = Date.parse('2026-05-01T10:00:00.000+08:00');
const DAY = 86_400_000;
const CATS = ['dining', 'retail', 'supermarket', 'mall'] as const;
const SKUS = ['sku_rice_5kg', 'sku_oil_5l', 'sku_milk', 'sku_liquor_moutai', 'sku_shoes', 'sku_fish', 'sku_prepaid_500'];
const UAS = ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 AlipayClient/10.6.10', 'Mozilla/5.0 (Linux; Android 14) Chrome/120.0 MicroMessenger/8.0.47', 'okhttp/4.9.3'];

export interface BenchTraffic {
  setup: QuanguardEvent[];
  stream: (Claim | Redemption)[];
}

export interface BenchTrafficOptions {
  users?: number;
  merchants?: number;
  prefix?: string;
  /**
   * `service` (default): ids shaped as the simulator and the issuance core make them: event,
   * claim, coupon and order ids of 26 characters, users `usr_` and 7 digits, devices `dev_` and 12
   * hex digits, merchants `mch_` and 6 digits. `short`: the ids this bench had until stop 13
   * (`usr_4711`, `evt_1a2b`), kept for the tests whose frozen hashes were taken over them.
   * It matters to speed: V8's JSON.parse shares one string per value of 10 characters or fewer, so
   * short ids are found by pointer comparison, where ids of service length are hashed and compared
   * character by character (rules/README.md).
   */
  ids?: 'service' | 'short';
}

// A bijection of 32-bit integers (odd multiplier, xor-shifts): distinct users keep distinct devices.
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

export function benchTraffic(seed: number, n: number, opts: BenchTrafficOptions = {}): BenchTraffic {
  const rng = new Rng(seed);
  const users = opts.users ?? 50_000, merchants = opts.merchants ?? 1_000, p = opts.prefix ?? '';
  const short = opts.ids === 'short';
  const setup: QuanguardEvent[] = [];
  let seq = 0;
  const id = short ? (k: string) => `${k}_${p}${(seq++).toString(36)}` : (k: string) => `${k}_${p}${(seq++).toString(32).padStart(22 - p.length, '0')}`;
  const userOf = short ? (u: number) => `usr_${p}${u}` : (u: number) => `usr_${p}${String(u).padStart(7, '0')}`;
  const deviceOf = short
    ? (u: number, farm: boolean) => (farm ? `dev_${p}farm${u % 20}` : `dev_${p}${u}`)
    : (u: number, farm: boolean) => {
        const x = farm ? 1_000_000_000 + (u % 20) : u;
        return `dev_${p}${(mix32(x ^ 0x5bd1e995) & 0xffff).toString(16).padStart(4, '0')}${mix32(x).toString(16).padStart(8, '0')}`;
      };
  const merchantOf = short ? (m: number) => `mch_${p}${m}` : (m: number) => `mch_${p}${String(m).padStart(6, '0')}`;
  setup.push({
    eventId: id('evt'), type: 'campaign.published', occurredAt: toCstIso(DROP - 10 * DAY), campaignId: 'cmp_bench', name: 'bench', startsAt: toCstIso(DROP), endsAt: toCstIso(DROP + 30 * DAY), budgetFen: 1e9,
    batches: [{ batchId: 'bat_bench', dropAt: toCstIso(DROP), validUntil: toCstIso(DROP + 15 * DAY), coupons: [
      { couponTypeId: 'cpt_100_50', kind: 'threshold', thresholdFen: 10_000, discountFen: 5_000, quantity: 1e6, categories: ['retail', 'supermarket', 'mall'] },
      { couponTypeId: 'cpt_30_15', kind: 'threshold', thresholdFen: 3_000, discountFen: 1_500, quantity: 1e6, categories: ['dining', 'supermarket'] },
    ] }],
    limits: { perPerson: 10, perPersonPerType: 1, perPersonPerBatch: 3 }, refundPolicy: 'return_if_full_refund_within_validity', geoFence: { lat: 34.6, lon: 119.2, radiusKm: 60 },
  });
  const shops: { id: string; lat: number; lon: number; prices: number[] }[] = [];
  for (let m = 0; m < merchants; m++) {
    const s = { id: merchantOf(m), lat: 34.4 + rng.next() * 0.4, lon: 119.0 + rng.next() * 0.4, prices: SKUS.map(() => 1000 + rng.int(0, 200) * 100) };
    shops.push(s);
    setup.push({ eventId: id('evt'), type: 'merchant.registered', occurredAt: toCstIso(DROP - 30 * DAY + m), merchantId: s.id, name: `shop ${m}`, category: CATS[m % CATS.length]!, district: 'haizhou', lat: s.lat, lon: s.lon });
    SKUS.forEach((sku, k) => setup.push({ eventId: id('evt'), type: 'price.observed', occurredAt: toCstIso(DROP - 9 * DAY + m), merchantId: s.id, sku, priceFen: s.prices[k]!, source: 'baseline' }));
  }
  const stream: (Claim | Redemption)[] = [];
  for (let i = 0; i < n; i++) {
    const t = toCstIso(DROP + i * 200);
    const farm = rng.bool(0.03);
    const u = farm ? rng.int(0, 300) : rng.int(0, users - 1);
    const userId = userOf(u);
    const deviceId = deviceOf(u, farm);
    const ip = farm ? `47.104.${u % 5}.${u % 250}` : `180.111.${u % 200}.${(u * 7) % 250}`;
    if (rng.bool(0.55)) {
      stream.push({
        eventId: id('evt'), type: 'claim', occurredAt: t, claimId: id('clm'), couponId: id('cpn'), campaignId: 'cmp_bench', batchId: 'bat_bench', couponTypeId: rng.bool(0.5) ? 'cpt_100_50' : 'cpt_30_15',
        userId, deviceId, ip, lat: 34.6 + rng.next() * 0.1, lon: 119.2 + rng.next() * 0.1, userAgent: farm ? UAS[2]! : UAS[u % 2]!, channel: 'alipay', accountCreatedAt: toCstIso(DROP - rng.int(1, 900) * DAY),
      });
    } else {
      const shop = shops[farm ? u % 30 : rng.int(0, merchants - 1)]!;
      const orderFen = farm ? 10_000 + rng.int(0, 3) * 100 : 10_000 + rng.int(0, 30_000);
      const qty = rng.int(1, 3);
      const k = rng.int(0, SKUS.length - 1);
      stream.push({
        eventId: id('evt'), type: 'redemption', occurredAt: t, redemptionId: id('rdm'), couponId: id('cpn'), campaignId: 'cmp_bench', couponTypeId: 'cpt_100_50', userId, merchantId: shop.id, orderId: id('ord'),
        orderFen, discountFen: 5_000, paidFen: orderFen - 5_000, cardHash: (farm ? 'ab' : 'cd') + (u % (farm ? 10 : users)).toString(16).padStart(62, '0'), deviceId, ip,
        lat: shop.lat + 0.001, lon: shop.lon, items: [{ sku: SKUS[k]!, qty, unitPriceFen: shop.prices[k]! }],
      });
    }
  }
  // Events as the engine gets them in service: parsed from their JSON (HTTP body, Kafka message,
  // replay line), not the objects built above, whose keys are concatenations V8 keeps as ropes
  // until first hashed: a cost the service never sees (rules/README.md has it measured).
  return { setup: asParsed(setup), stream: asParsed(stream) };
}

function asParsed<T>(events: T[]): T[] {
  return events.map((e) => JSON.parse(JSON.stringify(e)) as T);
}
