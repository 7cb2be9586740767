// 外挂抢券: farms of accounts on a few devices and IP ranges that claim the best coupons the
// moment a batch drops, then sell them on (the buyer's use shows up as the account redeeming far
// from where it "claimed").
// Blatant: one cloud /24, two or three phones for the whole farm, automation user agents, accounts
//   created in a burst days before the lottery, claims 3-80 ms after the drop, a spoofed location
//   (the exact district centre, identical for every account, or a far city outside the geofence).
// Subtle: residential proxy IPs over a few /24s, one phone per three or four accounts with an
//   ordinary mobile user agent, accounts created weeks earlier, claims 0.7-2.5 s after the drop
//   (as fast as the keenest humans), GPS jittered around one spot. No single signal separates it
//   from keen honest people; the shared devices and the same sub-second timing on every batch do.
import { simId } from '../fastid.ts';
import { DAY_MS, HOUR_MS } from '../campaign.ts';
import { DISTRICT_GEO, offsetKm, pickDistrict } from '../geo.ts';
import { AUTOMATION_USER_AGENTS, DATACENTER_NETS, VIRTUAL_PREFIXES, mobileUserAgent } from '../identity.ts';
import { honestPurchase, channelOf } from '../honest.ts';
import type { Variant } from '../labels.ts';
import type { Account, World } from '../world.ts';
import { variantOf } from './variant.ts';

const FAR_CITIES = [
  { lat: 30.274084, lon: 120.15507 },
  { lat: 22.543096, lon: 114.057865 },
  { lat: 39.904211, lon: 116.407395 },
];
const BEST_FIRST = ['nt-100', '150-75', 'nt-50', '100-50'];

export function injectBotFarms(w: World, farms: number, subtleShare: number): void {
  for (let f = 0; f < farms; f++) farm(w, variantOf(f, farms, subtleShare));
}

function farm(w: World, variant: Variant): void {
  const rng = w.rng;
  const blatant = variant === 'blatant';
  const size = blatant ? rng.int(25, 50) : rng.int(10, 20);
  const g = pickDistrict(rng);
  const anchor = offsetKm(rng, g.lat, g.lon, rng.int(1, 6));
  const net = blatant ? `${rng.pick(DATACENTER_NETS)}.${rng.int(0, 255)}` : '';
  const proxyNets = Array.from({ length: rng.int(3, 4) }, () => `${rng.pick(['117.136', '180.111', '114.222', '223.104'])}.${rng.int(0, 255)}`);
  const farmUa = mobileUserAgent(rng);
  const devices = Array.from({ length: blatant ? rng.int(2, 3) : Math.ceil(size / rng.int(3, 4)) }, () => simId('device', w.plan.lotteryMs - 40 * DAY_MS, w.idRng));
  for (const d of devices) w.labels.device(d, 'bot_claiming');
  const burstMs = w.plan.lotteryMs - rng.int(26 * HOUR_MS, 72 * HOUR_MS);
  const accounts: Account[] = [];
  for (let i = 0; i < size; i++) {
    const createdMs = blatant ? burstMs + i * rng.int(20_000, 90_000) : w.plan.lotteryMs - rng.int(12, 40) * DAY_MS - rng.int(0, DAY_MS);
    const person = { idHash: w.identities.person(rng.pick(DISTRICT_GEO).adminCode).idHash, phoneHash: w.identities.phoneHash(blatant ? VIRTUAL_PREFIXES : undefined) };
    const ip = blatant ? `${net}.${rng.int(2, 254)}` : `${rng.pick(proxyNets)}.${rng.int(2, 254)}`;
    // Blatant farms report the district centre to six decimals, or forget to spoof and report the
    // data centre's city, outside the campaign's geofence.
    const where = blatant ? (rng.bool(0.3) ? rng.pick(FAR_CITIES) : { lat: g.lat, lon: g.lon }) : offsetKm(rng, anchor.lat, anchor.lon, rng.next() * 0.2);
    const a = w.newAccount({
      ...person,
      deviceId: devices[i % devices.length]!,
      ip,
      userAgent: blatant ? rng.pick(AUTOMATION_USER_AGENTS) : farmUa,
      channel: blatant ? 'app' : channelOf(w),
      ...where,
      createdMs,
      cards: [w.identities.card()],
    });
    w.labels.user(a.userId, 'bot_claiming', variant);
    w.grant(a, w.plan.lotteryMs + rng.int(0, 2 * HOUR_MS));
    accounts.push(a);
  }
  const claimed = new Map<string, number>();
  for (const batch of w.plan.batches) {
    for (const a of accounts) {
      const room = Math.min(w.plan.limits.perPersonPerBatch, w.plan.limits.perPerson - (claimed.get(a.userId) ?? 0));
      const best = BEST_FIRST.map((k) => batch.coupons.find((c) => c.key === k)!).slice(0, Math.max(0, room));
      claimed.set(a.userId, (claimed.get(a.userId) ?? 0) + best.length);
      for (const c of best) {
        const delay = blatant ? rng.int(3, 80) : rng.int(700, 2_500);
        const issued = w.claim(a, batch, c, batch.dropMs + delay, { ip: blatant ? a.ip : `${rng.pick(proxyNets)}.${rng.int(2, 254)}` });
        // Sold on: the buyer uses it wherever they live, far from the farm's claimed location.
        if (!rng.bool(0.5)) continue;
        const buyerHome = pickDistrict(rng);
        const m = w.nearbyMerchant(buyerHome.lat, buyerHome.lon, c.categories);
        if (m) honestPurchase(w, a, issued, m);
      }
    }
  }
}
