// Real background traffic: the Tianchi O2O claims (../shared/data/tianchi_o2o/, read in place,
// never copied) become legitimate users and shops of the city. Users live at the recorded distance
// from the shop of their first claim, July 2016 is stretched over the campaign, each "x:y"
// discount becomes the nearest coupon type the shop accepts, and a realistic share is redeemed.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DAY_MS, HOUR_MS, type PlannedBatch, type PlannedCoupon } from './campaign.ts';
import { offsetKm, pickDistrict } from './geo.ts';
import { honestPurchase, honestPrices, makeMerchant, ordinaryAccount } from './honest.ts';
import { cstMidnight, hourProfile, humanClaimDelay, timeOnDay, type Account, type Merchant, type World } from './world.ts';

export interface TianchiRow {
  userId: string;
  merchantId: string;
  discount: string;
  /** Metres, or undefined when the file says null. */
  distanceM: number | undefined;
  /** Day of July 2016, 1-31. */
  day: number;
}

/** Streams the CSV; rows that do not parse are counted, never fatal. */
export async function readTianchi(path: string, limit: number): Promise<{ rows: TianchiRow[]; skipped: number }> {
  const rows: TianchiRow[] = [];
  let skipped = 0;
  let header = true;
  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`simulator: --background ${path} cannot be read (${err.code ?? err.message})`)));
  });
  await opened;
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const raw of lines) {
    if (header) {
      header = false;
      if (!/^User_id,Merchant_id/.test(raw)) throw new Error(`simulator: --background ${path} does not look like the Tianchi O2O file (header "${raw.slice(0, 60)}")`);
      continue;
    }
    if (rows.length >= limit) break;
    const f = raw.trim().split(',');
    const date = f[5] ?? '';
    const day = Number(date.slice(6, 8));
    if (f.length < 6 || !/^\d+$/.test(f[0]!) || !/^\d+$/.test(f[1]!) || !/^201607\d\d$/.test(date) || day < 1 || day > 31) {
      skipped++;
      continue;
    }
    const distance = f[4] === 'null' ? undefined : Number(f[4]) * 500;
    rows.push({ userId: f[0]!, merchantId: f[1]!, discount: f[3] ?? '', distanceM: Number.isFinite(distance) ? distance : undefined, day });
  }
  lines.close();
  return { rows, skipped };
}

export interface BackgroundStats {
  rows: number;
  skippedRows: number;
  claims: number;
  overLimit: number;
  users: number;
  merchants: number;
}

export function injectBackground(w: World, rows: TianchiRow[], skippedRows: number): BackgroundStats {
  const rng = w.rng;
  const merchants = new Map<string, Merchant>();
  const accounts = new Map<string, Account>();
  const perBatch = new Map<string, number>();
  const perType = new Set<string>();
  const perPerson = new Map<string, number>();
  const stats: BackgroundStats = { rows: rows.length, skippedRows, claims: 0, overLimit: 0, users: 0, merchants: 0 };
  const firstDrop = w.plan.batches[0]!.dropMs;
  const campaignDays = Math.max(1, Math.floor((w.plan.batches[w.plan.batches.length - 1]!.dropMs - firstDrop) / DAY_MS) + 7);

  for (const row of rows) {
    let m = merchants.get(row.merchantId);
    if (!m) {
      m = makeMerchant(w, { merchantId: `mch_bg_${row.merchantId}`, category: rng.weighted(['dining', 'retail', 'supermarket', 'entertainment', 'mall'], [0.4, 0.25, 0.2, 0.1, 0.05]) });
      honestPrices(w, m);
      w.addMerchant(m);
      merchants.set(row.merchantId, m);
      w.labels.backgroundMerchants.push(m.merchantId);
    }
    let a = accounts.get(row.userId);
    if (!a) {
      const g = pickDistrict(rng);
      const home = offsetKm(rng, m.lat, m.lon, (row.distanceM ?? rng.int(0, 5000)) / 1000 + rng.next() * 0.25);
      const createdMs = w.plan.lotteryMs - rng.int(90, 8 * 365) * DAY_MS - rng.int(0, DAY_MS);
      a = ordinaryAccount(w, g, home, createdMs, () => [w.identities.card()], `usr_bg_${row.userId}`);
      w.grant(a, w.plan.lotteryMs + rng.int(0, 2 * HOUR_MS));
      accounts.set(row.userId, a);
      w.labels.backgroundUsers.push(a.userId);
    }
    const day = Math.floor(((row.day - 1) * campaignDays) / 31);
    const batch = [...w.plan.batches].reverse().find((b) => b.dropMs <= firstDrop + day * DAY_MS + 14 * HOUR_MS) ?? w.plan.batches[0]!;
    const coupon = nearestCoupon(batch, m, row.discount);
    if (!coupon) continue;
    const bKey = `${a.userId}|${batch.batchId}`;
    const tKey = `${a.userId}|${coupon.couponTypeId}`;
    const count = perPerson.get(a.userId) ?? 0;
    // The issuance core would refuse claims over the limits; they never become events.
    if (perType.has(tKey) || (perBatch.get(bKey) ?? 0) >= w.plan.limits.perPersonPerBatch || count >= w.plan.limits.perPerson) {
      stats.overLimit++;
      continue;
    }
    perType.add(tKey);
    perBatch.set(bKey, (perBatch.get(bKey) ?? 0) + 1);
    perPerson.set(a.userId, count + 1);
    const dayStart = cstMidnight(firstDrop) + day * DAY_MS;
    let t = dayStart <= batch.dropMs ? batch.dropMs + Math.floor(humanClaimDelay(rng)) : timeOnDay(rng, dayStart, hourProfile('retail'));
    if (t <= batch.dropMs) t = batch.dropMs + rng.int(60_000, 4 * HOUR_MS);
    t = Math.min(t, batch.validUntilMs - 2 * DAY_MS);
    const issued = w.claim(a, batch, coupon, t);
    stats.claims++;
    if (rng.bool(0.45)) honestPurchase(w, a, issued, m);
  }
  stats.users = accounts.size;
  stats.merchants = merchants.size;
  return stats;
}

/** "x:y" (spend x yuan, y off) → the threshold coupon with the nearest threshold; a rate → no-threshold. */
function nearestCoupon(batch: PlannedBatch, m: Merchant, discount: string): PlannedCoupon | undefined {
  const fits = batch.coupons.filter((c) => c.categories.includes(m.category) && c.kind !== 'lodging');
  if (fits.length === 0) return undefined;
  const match = /^(\d+):(\d+)$/.exec(discount);
  if (!match) return fits.find((c) => c.kind === 'no_threshold') ?? fits[0];
  const spendFen = Number(match[1]) * 100;
  let best = fits[0]!;
  for (const c of fits) if (Math.abs(Math.log((c.thresholdFen || 2000) / spendFen)) < Math.abs(Math.log((best.thresholdFen || 2000) / spendFen))) best = c;
  return best;
}
