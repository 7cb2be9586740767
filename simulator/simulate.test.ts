import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAUD_TYPES, parseEventLine, type QuanguardEvent } from '../core/events.ts';
import type { Labels } from './labels.ts';
import { simulate, simulateToDir } from './simulate.ts';

const SECRET = 'simulator-test-secret-0123456789';
const TIANCHI = '/work/shared/data/tianchi_o2o/ccf_offline_stage1_test_revised.csv';
const root = mkdtempSync(join(tmpdir(), 'qg-sim-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function load(dir: string): { events: QuanguardEvent[]; labels: Labels; problems: string[] } {
  const problems: string[] = [];
  const events: QuanguardEvent[] = [];
  for (const line of readFileSync(join(dir, 'events.ndjson'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = parseEventLine(line);
    if (r.ok) events.push(r.event);
    else problems.push(`${r.type}: ${r.problem.field} ${r.problem.reason}`);
  }
  return { events, labels: JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Labels, problems };
}

describe('simulate (small)', () => {
  const a = join(root, 'a');
  let sim: ReturnType<typeof load>;
  beforeAll(async () => {
    // Spills to disk every megabyte (b below stays in memory): the bytes must not depend on it.
    await simulateToDir({ seed: 11, scale: 'small', hmacSecret: SECRET, memoryBudgetBytes: 1 << 20 }, a);
    sim = load(a);
  });

  it('gives the same bytes for the same seed and different bytes for another seed', async () => {
    const b = join(root, 'b');
    const c = join(root, 'c');
    await simulateToDir({ seed: 11, scale: 'small', hmacSecret: SECRET }, b);
    await simulateToDir({ seed: 12, scale: 'small', users: 500, merchants: 40, hmacSecret: SECRET }, c);
    expect(sha(join(b, 'events.ndjson'))).toBe(sha(join(a, 'events.ndjson')));
    expect(sha(join(b, 'labels.json'))).toBe(sha(join(a, 'labels.json')));
    expect(sha(join(c, 'events.ndjson'))).not.toBe(sha(join(a, 'events.ndjson')));
    // Spill files are cleaned up.
    expect(readFileSync(join(b, 'labels.json'), 'utf8').length).toBeGreaterThan(100);
    expect(existsSync(join(b, `.spill-${process.pid}`))).toBe(false);
  });

  it('gives the same bytes whichever threads generate and merge the shards', async () => {
    const opts = { seed: 13, scale: 'small', users: 1_200, merchants: 60, usersPerShard: 400, hmacSecret: SECRET } as const;
    const one = join(root, 'one-thread');
    const three = join(root, 'three-threads');
    const s1 = await simulateToDir({ ...opts, threads: 1 }, one);
    const s3 = await simulateToDir({ ...opts, threads: 3, memoryBudgetBytes: 1 << 18 }, three);
    expect(s1.shards).toBe(4);
    expect(s3.threads).toBe(3);
    expect(s3.events).toBe(s1.events);
    expect(sha(join(three, 'events.ndjson'))).toBe(sha(join(one, 'events.ndjson')));
    expect(sha(join(three, 'labels.json'))).toBe(sha(join(one, 'labels.json')));
    // The in-process stream gives the same bytes as the file.
    const sim = await simulate({ ...opts, spillDir: join(root, 'stream-spill') });
    const parts: Buffer[] = [];
    for (const chunk of sim.chunks()) parts.push(Buffer.from(chunk));
    expect(createHash('sha256').update(Buffer.concat(parts)).digest('hex')).toBe(sha(join(one, 'events.ndjson')));
  }, 120_000);

  it('writes only events the contract accepts, sorted by occurredAt, with unique ids', () => {
    expect(sim.problems).toEqual([]);
    expect(sim.events.length).toBeGreaterThan(20_000);
    let prev = -Infinity;
    const ids = new Set<string>();
    for (const e of sim.events) {
      const t = Date.parse(e.occurredAt);
      expect(t).toBeGreaterThanOrEqual(prev);
      expect(e.occurredAt.endsWith('+08:00')).toBe(true);
      prev = t;
      ids.add(e.eventId);
    }
    expect(ids.size).toBe(sim.events.length);
    // Accounts exist before they claim; shops before their prices and sales.
    const registered = new Map<string, number>();
    for (const e of sim.events) {
      if (e.type === 'claim') expect(Date.parse(e.accountCreatedAt!)).toBeLessThan(Date.parse(e.occurredAt));
      if (e.type === 'merchant.registered') registered.set(e.merchantId, Date.parse(e.occurredAt));
      if (e.type === 'price.observed' || e.type === 'redemption') expect(registered.get(e.merchantId)).toBeLessThan(Date.parse(e.occurredAt));
    }
    const types = new Set(sim.events.map((e) => e.type));
    expect([...types].sort()).toEqual(['campaign.published', 'claim', 'eligibility.granted', 'merchant.registered', 'price.observed', 'redemption', 'refund']);
  });

  it('publishes a 2022-style campaign whose stock covers every claim', () => {
    const campaign = sim.events.find((e) => e.type === 'campaign.published');
    if (campaign?.type !== 'campaign.published') throw new Error('no campaign');
    const kinds = campaign.batches[0]!.coupons.map((c) => `${c.kind}:${c.thresholdFen}-${c.discountFen}`);
    expect(kinds).toEqual(expect.arrayContaining(['threshold:3000-1500', 'threshold:10000-5000', 'threshold:15000-7500', 'no_threshold:0-2000', 'no_threshold:0-5000', 'no_threshold:0-10000']));
    expect(kinds.some((k) => k.startsWith('lodging:'))).toBe(true);
    for (const b of campaign.batches) {
      expect(b.dropAt.slice(11, 23)).toBe('10:00:00.000');
      expect(Date.parse(b.validUntil) - Date.parse(b.dropAt)).toBeLessThan(15 * 86_400_000);
      expect(Date.parse(b.validUntil) - Date.parse(b.dropAt)).toBeGreaterThan(14 * 86_400_000);
    }
    const claimsPerType = new Map<string, number>();
    for (const e of sim.events) if (e.type === 'claim') claimsPerType.set(e.couponTypeId, (claimsPerType.get(e.couponTypeId) ?? 0) + 1);
    for (const b of campaign.batches) for (const c of b.coupons) expect(c.quantity).toBeGreaterThanOrEqual(claimsPerType.get(c.couponTypeId) ?? 0);
    // Per-person limits hold for every account.
    const perUser = new Map<string, number>();
    for (const e of sim.events) if (e.type === 'claim') perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + 1);
    expect(Math.max(...perUser.values())).toBeLessThanOrEqual(campaign.limits.perPerson);
  });

  it('redeems each coupon at most once, after its claim and before it expires, at a shop it is valid for', () => {
    const campaign = sim.events.find((e) => e.type === 'campaign.published');
    if (campaign?.type !== 'campaign.published') throw new Error('no campaign');
    const typeOf = new Map(campaign.batches.flatMap((b) => b.coupons.map((c) => [c.couponTypeId, { c, validUntil: Date.parse(b.validUntil) }] as const)));
    const category = new Map<string, string>();
    const claimed = new Map<string, number>();
    const used = new Set<string>();
    for (const e of sim.events) {
      if (e.type === 'merchant.registered') category.set(e.merchantId, e.category);
      if (e.type === 'claim') claimed.set(e.couponId, Date.parse(e.occurredAt));
      if (e.type !== 'redemption') continue;
      const t = Date.parse(e.occurredAt);
      expect(used.has(e.couponId)).toBe(false);
      used.add(e.couponId);
      expect(t).toBeGreaterThan(claimed.get(e.couponId)!);
      const ct = typeOf.get(e.couponTypeId)!;
      expect(t).toBeLessThanOrEqual(ct.validUntil);
      expect(ct.c.categories).toContain(category.get(e.merchantId));
      expect(e.orderFen).toBeGreaterThanOrEqual(ct.c.thresholdFen);
    }
    expect(used.size).toBeGreaterThan(5_000);
  });

  it('labels every fraud type in both variants, and every labelled entity acts in the events', () => {
    const { labels, events } = sim;
    const present = new Set([...Object.values(labels.users), ...Object.values(labels.merchants)]);
    expect([...present].sort()).toEqual([...FRAUD_TYPES].sort());
    for (const t of FRAUD_TYPES)
      for (const v of ['blatant', 'subtle'])
        expect(
          [...Object.entries(labels.variants!.users), ...Object.entries(labels.variants!.merchants)].some(
            ([id, variant]) => variant === v && (labels.users[id] ?? labels.merchants[id]) === t,
          ),
          `${t}/${v}`,
        ).toBe(true);
    const claimers = new Set(events.filter((e) => e.type === 'claim').map((e) => (e as { userId: string }).userId));
    const redeemers = new Set(events.filter((e) => e.type === 'redemption').map((e) => (e as { userId: string }).userId));
    const shopsRedeemed = new Set(events.filter((e) => e.type === 'redemption').map((e) => (e as { merchantId: string }).merchantId));
    const priced = new Set(events.filter((e) => e.type === 'price.observed').map((e) => (e as { merchantId: string }).merchantId));
    for (const [id, t] of Object.entries(labels.users)) {
      expect(claimers.has(id), `${t} user ${id} claims`).toBe(true);
      if (t !== 'bot_claiming') expect(redeemers.has(id), `${t} user ${id} redeems`).toBe(true);
    }
    for (const [id, t] of Object.entries(labels.merchants)) {
      expect(priced.has(id), `${t} merchant ${id} has prices`).toBe(true);
      if (t !== 'price_gouging') expect(shopsRedeemed.has(id), `${t} merchant ${id} has redemptions`).toBe(true);
    }
    const devices = new Set(events.filter((e) => e.type === 'claim').map((e) => (e as { deviceId?: string }).deviceId));
    for (const d of Object.keys(labels.devices ?? {})) expect(devices.has(d)).toBe(true);
    expect(labels.population!.users).toBe(new Set(events.filter((e) => e.type === 'eligibility.granted').map((e) => (e as { userId: string }).userId)).size);
  });

  it('makes blatant bots claim within milliseconds, subtle bots as fast as keen humans, and honest people no faster than 1.2 s', () => {
    const campaign = sim.events.find((e) => e.type === 'campaign.published');
    if (campaign?.type !== 'campaign.published') throw new Error('no campaign');
    const drop = new Map(campaign.batches.map((b) => [b.batchId, Date.parse(b.dropAt)]));
    const delays: Record<string, number[]> = { blatant: [], subtle: [], honest: [] };
    for (const e of sim.events) {
      if (e.type !== 'claim') continue;
      const d = Date.parse(e.occurredAt) - drop.get(e.batchId)!;
      const label = sim.labels.users[e.userId];
      if (label === 'bot_claiming') delays[sim.labels.variants!.users[e.userId]!]!.push(d);
      else if (!label) delays.honest!.push(d);
    }
    expect(Math.max(...delays.blatant!)).toBeLessThan(100);
    expect(Math.min(...delays.subtle!)).toBeGreaterThanOrEqual(700);
    expect(Math.max(...delays.subtle!)).toBeLessThanOrEqual(2_500);
    expect(Math.min(...delays.honest!)).toBeGreaterThanOrEqual(1_200);
    // Some honest people are just as fast as the subtle farms: timing alone cannot separate them.
    expect(delays.honest!.filter((d) => d < 2_500).length).toBeGreaterThan(0);
  });

  it('raises gougers\' till prices 10-40% over their baselines while honest shops mostly keep theirs', () => {
    const base = new Map<string, number>();
    const rise: Record<string, number[]> = { blatant: [], subtle: [], honest: [] };
    for (const e of sim.events) {
      if (e.type !== 'price.observed') continue;
      const key = `${e.merchantId}|${e.sku}`;
      if (e.source === 'baseline') base.set(key, e.priceFen);
      else if (e.source === 'pos') {
        const label = sim.labels.merchants[e.merchantId];
        const bucket = label === 'price_gouging' ? sim.labels.variants!.merchants[e.merchantId]! : label ? undefined : 'honest';
        if (bucket) rise[bucket]!.push(e.priceFen / base.get(key)! - 1);
      }
    }
    const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
    expect(median(rise.blatant!)).toBeGreaterThan(0.24);
    expect(Math.max(...rise.blatant!)).toBeLessThanOrEqual(0.41);
    expect(Math.max(...rise.subtle!)).toBeGreaterThan(0.09);
    expect(Math.max(...rise.subtle!)).toBeLessThan(0.17);
    expect(median(rise.honest!)).toBe(0);
  });
});

describe.skipIf(!existsSync(TIANCHI))('simulate with Tianchi background', () => {
  it('maps the first rows of the real file onto the city as labelled background', async () => {
    const dir = join(root, 'bg');
    const stats = await simulateToDir({ seed: 5, scale: 'small', users: 400, merchants: 40, background: TIANCHI, backgroundLimit: 3_000, hmacSecret: SECRET }, dir);
    const { events, labels, problems } = load(dir);
    expect(problems).toEqual([]);
    expect(stats.background!.rows).toBe(3_000);
    const bgUsers = labels.background!.users, bgMerchants = labels.background!.merchants;
    expect(bgUsers.length).toBeGreaterThan(1_000);
    expect(bgMerchants.length).toBeGreaterThan(50);
    expect(bgUsers.every((u) => u.startsWith('usr_bg_') && !(u in labels.users))).toBe(true);
    expect(bgMerchants.every((m) => m.startsWith('mch_bg_') && !(m in labels.merchants))).toBe(true);
    const claimers = new Set(events.filter((e) => e.type === 'claim').map((e) => (e as { userId: string }).userId));
    const bgClaimers = bgUsers.filter((u) => claimers.has(u)).length;
    expect(bgClaimers / bgUsers.length).toBeGreaterThan(0.95);
    const bgRedemptions = events.filter((e) => e.type === 'redemption' && e.userId.startsWith('usr_bg_')).length;
    const bgClaims = events.filter((e) => e.type === 'claim' && e.userId.startsWith('usr_bg_')).length;
    expect(bgRedemptions / bgClaims).toBeGreaterThan(0.3);
    expect(bgRedemptions / bgClaims).toBeLessThan(0.6);
    expect(events.some((e) => e.type === 'merchant.registered' && e.merchantId === bgMerchants[0])).toBe(true);
  });
});
