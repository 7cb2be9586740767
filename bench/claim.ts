// `npm run bench -- claim [--claims N] [--concurrency C] [--users U] [--rounds R] [--http-seconds S] [--no-http]`
// Claims per second against the real Redis (REDIS_URL), each figure with its baseline from the same
// run: at the store level (on the client the service uses, open-store.ts) against the same claim
// script driven directly with EVALSHA and against a minimal claim-like Lua script with XADD, both
// on an ioredis client with auto-pipelining (the baseline);
// through HTTP against a trivial express handler answering fixed JSON, at full load (autocannon,
// closed loop, in a child process) and at a fixed offered rate of 2,000/s (the open-loop generator
// of bench/_http-load.ts, in a child process). Afterwards the bench
// reads every wallet back and reports oversell and limit violations as measured.
// Embedded (always, REDIS_URL or not): the memory store with its journal (what `npm start` runs
// without Redis) against the same store without one, interleaved, and the replay of that journal
// at a restart, with the audit repeated on the replayed store.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createApp, type RouteModule } from '../api/app.ts';
import { createIssuanceRoutes } from '../api/issuance-routes.ts';
import { parseArgs } from '../cli/args.ts';
import { systemClock, toCstIso } from '../core/clock.ts';
import { loadConfig } from '../core/config.ts';
import { newId } from '../core/ids.ts';
import { Rng } from '../core/rng.ts';
import { createLogger, silentLogger } from '../core/logger.ts';
import { AllowAllRiskDecider } from '../issuance/allow-all-decider.ts';
import { claimTerms, couponTypeInfo, type CampaignDefinition } from '../issuance/campaign.ts';
import { ISSUANCE_REDIS_OPTIONS } from '../issuance/open-store.ts';
import { MemoryIssuanceStore } from '../issuance/state/memory.ts';
import { RedisIssuanceStore } from '../issuance/state/redis.ts';
import type { IssuanceStore } from '../issuance/state/store.ts';
import { scriptSha, scriptSource } from '../issuance/state/redis-scripts.ts';
import { deleteByPrefix } from '../issuance/testing/redis-cleanup.ts';
import { loadAverage, median, openLoop } from './_http-bench.ts';
import type { LoadResult as OpenLoopResult } from './_http-load.ts';
import { machine, report } from './report.ts';

const BENCH = 'claim';
const here = dirname(fileURLToPath(import.meta.url));
const TYPES = [
  { couponTypeId: 'cpt_a', discountFen: 1_000 },
  { couponTypeId: 'cpt_b', discountFen: 2_000 },
  { couponTypeId: 'cpt_c', discountFen: 5_000 },
];
const LIMITS = { perPerson: 2, perPersonPerType: 1, perPersonPerBatch: 2 };

const optionsSchema = z.object({
  claims: z.coerce.number().int().min(1000).default(150_000),
  concurrency: z.coerce.number().int().min(1).default(1000),
  users: z.coerce.number().int().min(100).default(40_000),
  'http-seconds': z.coerce.number().int().min(2).default(5),
  rounds: z.coerce.number().int().min(1).max(20).default(3),
  'no-http': z.literal(true).optional(),
});

function campaign(campaignId: string, quantity: number): CampaignDefinition {
  const now = systemClock.now();
  return {
    campaignId,
    name: 'bench',
    startsAt: toCstIso(now - 3_600_000),
    endsAt: toCstIso(now + 86_400_000),
    // Budget is the binding constraint for cpt_c: the bench must see budget sell-outs too.
    budgetFen: quantity * (1_000 + 2_000) + Math.floor(quantity / 2) * 5_000,
    batches: [{ batchId: 'bat_1', dropAt: toCstIso(now - 3_600_000), validUntil: toCstIso(now + 86_400_000), coupons: TYPES.map((t) => ({ ...t, kind: 'no_threshold' as const, thresholdFen: 0, quantity, categories: [] })) }],
    limits: LIMITS,
    refundPolicy: 'never_return',
  };
}

async function setUp(store: IssuanceStore, campaignId: string, quantity: number, users: number): Promise<string[]> {
  const def = campaign(campaignId, quantity);
  await store.createCampaign(def);
  await store.publishCampaign(campaignId, JSON.stringify({ type: 'campaign.published', campaignId }));
  const idHashes: string[] = [];
  const grants = [];
  for (let u = 0; u < users; u++) {
    // Every 10th person holds two accounts: limits must hold per person, not per account.
    const person = u % 10 === 9 ? u - 1 : u;
    const idHash = person.toString(16).padStart(64, '0');
    idHashes.push(idHash);
    grants.push({ userId: `usr_${u}`, idHash, phoneHash: idHash, eventJson: '{}' });
  }
  await store.grantEligibility(campaignId, grants);
  return idHashes;
}

/** Reads every wallet back: oversell beyond stock or budget, and persons over a limit. */
async function audit(store: IssuanceStore, campaignId: string, quantity: number, idHashes: string[]): Promise<{ granted: number; oversell: number; limitViolations: number }> {
  const def = campaign(campaignId, quantity);
  const perType = new Map<string, number>();
  const perPerson = new Map<string, string[]>();
  let spent = 0;
  const wallets = await Promise.all(idHashes.map((_, u) => store.wallet(campaignId, `usr_${u}`)));
  wallets.forEach((coupons, u) => {
    const list = perPerson.get(idHashes[u]!) ?? [];
    for (const c of coupons) {
      list.push(c.couponTypeId);
      perType.set(c.couponTypeId, (perType.get(c.couponTypeId) ?? 0) + 1);
      spent += TYPES.find((t) => t.couponTypeId === c.couponTypeId)!.discountFen;
    }
    perPerson.set(idHashes[u]!, list);
  });
  let oversell = Math.max(0, spent - def.budgetFen);
  for (const n of perType.values()) oversell += Math.max(0, n - quantity);
  const inv = (await store.inventory(campaignId))!;
  if (inv.budgetFen !== def.budgetFen - spent) oversell += Math.abs(inv.budgetFen - (def.budgetFen - spent));
  let limitViolations = 0;
  for (const types of perPerson.values()) if (types.length > LIMITS.perPerson || new Set(types).size < types.length) limitViolations++;
  return { granted: [...perType.values()].reduce((a, b) => a + b, 0), oversell, limitViolations };
}

/** Runs claims [from, to) with `concurrency` claimers; returns the elapsed ms. */
async function drive(from: number, to: number, concurrency: number, one: (i: number) => Promise<unknown>): Promise<number> {
  let next = from;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) await one(next++);
    }),
  );
  return performance.now() - t0;
}

/**
 * The machine is shared and its load swings within seconds: the contenders run in interleaved
 * rounds (A, B, C, A, B, C, …) so each sees the same conditions, and each rate is its total claims
 * over its total time.
 */
async function interleaved(total: number, rounds: number, concurrency: number, contenders: ((i: number) => Promise<unknown>)[]): Promise<number[]> {
  const ms = contenders.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    const from = Math.floor((total * r) / rounds), to = Math.floor((total * (r + 1)) / rounds);
    for (let c = 0; c < contenders.length; c++) ms[c]! += await drive(from, to, concurrency, contenders[c]!);
  }
  return ms.map((m) => (total / m) * 1000);
}

const BASELINE_LUA = `
local stock = redis.call('DECR', KEYS[1])
if stock < 0 then return {'sold_out'} end
local n = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('XADD', KEYS[3], '*', 'e', ARGV[2])
return {'granted', ARGV[3]}`;

/** A claim as the issuance service makes it (ids, the event), for claim i of the bench's pattern. */
function claimer(store: IssuanceStore, campaignId: string, quantity: number, idHashes: string[], o: z.infer<typeof optionsSchema>, kinds: Map<string, number>): (i: number) => Promise<void> {
  const eventTemplate = { eventId: '', occurredAt: toCstIso(systemClock.now()), type: 'claim', claimId: '', couponId: '', campaignId, batchId: 'bat_1', couponTypeId: '', userId: '', idHash: '', channel: 'app' };
  const def = campaign(campaignId, quantity);
  const terms = TYPES.map((t) => claimTerms(def, couponTypeInfo(def, t.couponTypeId)!));
  // As IssuanceService does: one OS-seeded generator for ids.
  const idRng = new Rng(randomBytes(16).toString('hex'));
  return async (i: number) => {
    const t = TYPES[i % TYPES.length]!;
    const u = Math.floor(i / TYPES.length) % o.users;
    const now = systemClock.now();
    const claimId = newId('claim', now, idRng);
    const couponId = newId('coupon', now, idRng);
    const eventJson = JSON.stringify({ ...eventTemplate, eventId: newId('event', now, idRng), claimId, couponId, couponTypeId: t.couponTypeId, userId: `usr_${u}`, idHash: idHashes[u] });
    const r = await store.claim({ campaignId, couponTypeId: t.couponTypeId, batchId: 'bat_1', terms: terms[i % TYPES.length]!, userId: `usr_${u}`, idempotencyKey: `s${i}`, idHash: idHashes[u]!, nowMs: now, claimId, couponId, eventJson, risk: { decision: 'allow', reasons: [] } });
    kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  };
}

async function embeddedLevel(o: z.infer<typeof optionsSchema>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qg-bench-hot-'));
  try {
    const campaignId = 'cmp_bench_embedded';
    const quantity = Math.floor(o.claims / 5);
    const plain = new MemoryIssuanceStore(systemClock);
    const journaled = MemoryIssuanceStore.open(dir, systemClock);
    const idHashes = await setUp(plain, campaignId, quantity, o.users);
    await setUp(journaled, campaignId, quantity, o.users);
    await Promise.resolve(); // the set-up's journal line is out
    const setUpBytes = journaled.journalBytesWritten;
    const kinds = new Map<string, number>();
    const [plainPerS = 0, journaledPerS = 0] = await interleaved(o.claims, o.rounds, o.concurrency, [claimer(plain, campaignId, quantity, idHashes, o, kinds), claimer(journaled, campaignId, quantity, idHashes, o, kinds)]);
    const before = await audit(journaled, campaignId, quantity, idHashes);
    const rewrites = journaled.journalRewrites;
    const journalBytes = journaled.journalBytesWritten - setUpBytes;
    await journaled.close();
    const t0 = performance.now();
    const reopened = MemoryIssuanceStore.open(dir, systemClock);
    const replayMs = performance.now() - t0;
    const after = await audit(reopened, campaignId, quantity, idHashes);
    const compactedAtOpen = reopened.journalRewrites.count > 0;
    await reopened.close();
    const p = await audit(plain, campaignId, quantity, idHashes);
    report({ bench: BENCH, metric: 'embedded_claims_per_s', value: journaledPerS, unit: '1/s', backend: 'memory+journal', baseline: plainPerS, baselineKind: 'the same memory store without its journal, interleaved', concurrency: o.concurrency, claims: o.claims, granted: before.granted });
    report({ bench: BENCH, metric: 'embedded_journal_bytes_per_claim', value: journalBytes / o.claims, unit: 'B', backend: 'memory+journal', journalMiB: journalBytes / 2 ** 20, note: 'granted claims are journaled, refused ones change nothing and are not' });
    report({ bench: BENCH, metric: 'embedded_journal_rewrite_max_ms', value: rewrites.maxMs, unit: 'ms', backend: 'memory+journal', rewrites: rewrites.count, snapshotMiB: rewrites.lastSnapshotBytes / 2 ** 20, note: 'a rewrite holds the event loop while the whole state is serialised: while running only past 1 GiB, else at open' });
    report({ bench: BENCH, metric: 'embedded_restart_replay_ms', value: replayMs, unit: 'ms', backend: 'memory+journal', replayed: reopened.loaded.replayed, compactedAtOpen, granted: after.granted, grantedBefore: before.granted });
    report({ bench: BENCH, metric: 'oversell', value: before.oversell + after.oversell + p.oversell, unit: 'coupons+fen', backend: 'memory', level: 'store (journaled before and after the restart, plain)' });
    report({ bench: BENCH, metric: 'limit_violations', value: before.limitViolations + after.limitViolations + p.limitViolations, unit: 'persons', backend: 'memory', level: 'store (journaled before and after the restart, plain)' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `redis`: the client the service runs on, for the store. `pipelined`: a client with ioredis'
 * auto-pipelining, for the direct and minimal scripts, as the issue defines the baseline.
 */
async function storeLevel(redis: Redis, pipelined: Redis, prefix: string, o: z.infer<typeof optionsSchema>): Promise<void> {
  const store = new RedisIssuanceStore({ redis, prefix });
  const campaignId = 'cmp_bench_store';
  const quantity = Math.floor(o.claims / 5);
  const idHashes = await setUp(store, campaignId, quantity, o.users);
  const def = campaign(campaignId, quantity);
  const terms = TYPES.map((t) => claimTerms(def, couponTypeInfo(def, t.couponTypeId)!));
  const eventTemplate = { eventId: '', occurredAt: toCstIso(systemClock.now()), type: 'claim', claimId: '', couponId: '', campaignId, batchId: 'bat_1', couponTypeId: '', userId: '', idHash: '', channel: 'app' };
  const kinds = new Map<string, number>();
  const viaStore = claimer(store, campaignId, quantity, idHashes, o, kinds);

  // Baseline (the definition): the very same claim script, driven directly with EVALSHA
  // and precomputed arguments on an auto-pipelining client, on a second campaign with the same
  // stock, budget and limits.
  const directId = 'cmp_bench_direct';
  await setUp(store, directId, quantity, o.users);
  const sha = scriptSha('claim');
  const k = store.keys;
  const directTerms = terms.map((t) => [String(t.discountFen), String(t.claimFromMs), String(t.claimUntilMs), String(t.limits.perPerson), String(t.limits.perPersonPerType), String(t.limits.perPersonPerBatch)]);
  const directEvent = JSON.stringify({ ...eventTemplate, campaignId: directId, eventId: newId('event', 0), claimId: newId('claim', 0), couponId: newId('coupon', 0), couponTypeId: 'cpt_a', userId: 'usr_1', idHash: idHashes[1] });
  const nowStr = String(systemClock.now());
  const direct = (i: number) => {
    const ti = i % TYPES.length;
    const u = Math.floor(i / TYPES.length) % o.users;
    return pipelined.evalsha(sha, 3, k.conf(directId), k.wallet(directId, `usr_${u}`), k.outbox(directId), TYPES[ti]!.couponTypeId, `usr_${u}`, idHashes[u]!, nowStr, 'allow', '', `cpn_d${i}`, `clm_d${i}`, directEvent, `d${i}`, 'bat_1', ...directTerms[ti]!);
  };

  // A smaller reference: a minimal claim-like script (stock DECR, a counter, XADD) in the same run.
  await redis.set(`${prefix}{base}:stock`, String(quantity * 3));
  if (!('benchBaseline' in pipelined)) pipelined.defineCommand('benchBaseline', { numberOfKeys: 3, lua: BASELINE_LUA });
  const minimalScript = (pipelined as unknown as { benchBaseline(...a: string[]): Promise<unknown> }).benchBaseline.bind(pipelined);
  const minimal = (i: number) => minimalScript(`${prefix}{base}:stock`, `${prefix}{base}:p:${i % o.users}`, `${prefix}{base}:ox`, 'total', directEvent, String(i));
  // The direct script needs it loaded once (the store path has loaded it through ioredis).
  await redis.script('LOAD', scriptSource('claim'));
  const [claimsPerS = 0, directPerS = 0, minimalPerS = 0] = await interleaved(o.claims, o.rounds, o.concurrency, [viaStore, direct, minimal]);

  const a = await audit(store, campaignId, quantity, idHashes);
  const d = await audit(store, directId, quantity, idHashes);
  a.oversell += d.oversell;
  a.limitViolations += d.limitViolations;
  report({ bench: BENCH, metric: 'store_claims_per_s', value: claimsPerS, unit: '1/s', backend: 'redis', baseline: directPerS, baselineKind: 'same claim script, direct EVALSHA', concurrency: o.concurrency, claims: o.claims, target: '>= 50000 and ratio >= 0.5', outcomes: Object.fromEntries(kinds) });
  report({ bench: BENCH, metric: 'store_claims_per_s_vs_minimal_script', value: claimsPerS, unit: '1/s', backend: 'redis', baseline: minimalPerS, baselineKind: 'DECR + HINCRBY + XADD script, direct' });
  report({ bench: BENCH, metric: 'oversell', value: a.oversell, unit: 'coupons+fen', backend: 'redis', level: 'store', granted: a.granted });
  report({ bench: BENCH, metric: 'limit_violations', value: a.limitViolations, unit: 'persons', backend: 'redis', level: 'store' });
}

interface LoadResult {
  requestsPerS: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p99: number;
  p50: number;
}

function loadGen(cfg: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, '..', 'bin', 'run-ts.js'), join(here, '_autocannon.ts'), JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(line));
    });
  });
}

async function listen(modules: RouteModule[]): Promise<{ server: Server; url: string }> {
  const app = createApp({ modules, logger: silentLogger });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  server.keepAliveTimeout = 60_000;
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function httpLevel(redis: Redis, prefix: string, o: z.infer<typeof optionsSchema>): Promise<void> {
  const token = 'bench-issuance-token-0123456789';
  const store = new RedisIssuanceStore({ redis, prefix });
  const logger = createLogger({ level: 'warn' });
  const routes = createIssuanceRoutes({ store, decider: new AllowAllRiskDecider(systemClock), clock: systemClock, logger, hmacSecret: 'bench-secret-0123456789', tokens: { issuance: token } });
  const trivial: RouteModule = {
    name: 'trivial',
    mount(router) {
      router.post('/trivial', (_req, res) => {
        res.json({ result: { kind: 'granted', couponId: 'cpn_0000000000000000000000', claimId: 'clm_0000000000000000000000', replayed: false } });
      });
    },
  };
  const quantity = 20_000;
  const idHashes: Record<string, string[]> = {};
  for (const id of ['cmp_bench_http', 'cmp_bench_rate']) idHashes[id] = await setUp(store, id, quantity, o.users);
  const { server, url } = await listen([routes, trivial]);
  try {
    const claimCfg = (campaignId: string, keyPrefix: string) => ({ campaignId, couponTypes: TYPES.map((t) => t.couponTypeId), users: o.users, keyPrefix });
    // Interleaved rounds, as at the store level: trivial, claims, trivial, claims, …
    const full = { connections: o.concurrency, durationS: o['http-seconds'], token };
    // The fixed-rate runs use the open-loop generator (bench/_http-load.ts: latency from each
    // request's due time, warm-up left out), not autocannon's overallRate, which bursts and
    // invents tail samples (see that file).
    const port = Number(new URL(url).port);
    const rate = 2000, warmupS = 2;
    const rated = { host: '127.0.0.1', port, rate, warmupS, seconds: o['http-seconds'], connections: 50 };
    const count = rate * (warmupS + o['http-seconds']) + 100;
    const runs = { trivialFull: [] as LoadResult[], claimFull: [] as LoadResult[], trivialRate: [] as OpenLoopResult[], claimRate: [] as OpenLoopResult[] };
    for (let r = 0; r < o.rounds; r++) {
      runs.trivialFull.push(await loadGen({ ...full, url: `${url}/trivial` }));
      runs.claimFull.push(await loadGen({ ...full, url: `${url}/v1/claims`, claim: claimCfg('cmp_bench_http', `h${r}_`) }));
      runs.trivialRate.push(await openLoop({ ...rated, source: { kind: 'fixed', path: '/trivial', body: '{}', token } }));
      runs.claimRate.push(await openLoop({ ...rated, source: { kind: 'claim', path: '/v1/claims', token, ...claimCfg('cmp_bench_rate', `r${r}_`), count } }));
    }
    const mean = (xs: LoadResult[], f: (x: LoadResult) => number) => xs.reduce((a, x) => a + f(x), 0) / xs.length;
    const errs = (xs: LoadResult[]) => xs.reduce((a, x) => a + x.errors + x.timeouts, 0);
    report({ bench: BENCH, metric: 'http_claims_per_s', value: mean(runs.claimFull, (x) => x.requestsPerS), unit: '1/s', backend: 'redis', baseline: mean(runs.trivialFull, (x) => x.requestsPerS), connections: o.concurrency, rounds: o.rounds, non2xx: runs.claimFull.reduce((a, x) => a + x.non2xx, 0), errors: errs(runs.claimFull), baselineErrors: errs(runs.trivialFull), target: 'ratio >= 0.6' });
    const med = (xs: OpenLoopResult[], f: (x: OpenLoopResult) => number) => median(xs.map(f));
    const bad = (xs: OpenLoopResult[]) => xs.reduce((a, x) => a + x.non2xx + x.errors + x.unanswered, 0);
    report({
      bench: BENCH,
      metric: 'http_p99_ms_at_2000_per_s',
      value: med(runs.claimRate, (x) => x.p99),
      unit: 'ms',
      backend: 'redis',
      baseline: med(runs.trivialRate, (x) => x.p99),
      rounds: o.rounds,
      loadGenerator: 'open loop, latency from each request\'s due time (bench/_http-load.ts, separate process), median of rounds',
      warmupSExcluded: warmupS,
      connections: rated.connections,
      perRound: runs.claimRate.map((x) => x.p99),
      baselinePerRound: runs.trivialRate.map((x) => x.p99),
      achievedPerS: med(runs.claimRate, (x) => x.achievedRps),
      baselineAchievedPerS: med(runs.trivialRate, (x) => x.achievedRps),
      p50: med(runs.claimRate, (x) => x.p50),
      baselineP50: med(runs.trivialRate, (x) => x.p50),
      p90: med(runs.claimRate, (x) => x.p90),
      baselineP90: med(runs.trivialRate, (x) => x.p90),
      errorResponses: bad(runs.claimRate),
      baselineErrorResponses: bad(runs.trivialRate),
      loadAverage: loadAverage(),
      target: 'ratio <= 2',
    });

    let oversell = 0;
    let violations = 0;
    let granted = 0;
    for (const id of ['cmp_bench_http', 'cmp_bench_rate']) {
      const a = await audit(store, id, quantity, idHashes[id]!);
      oversell += a.oversell;
      violations += a.limitViolations;
      granted += a.granted;
    }
    report({ bench: BENCH, metric: 'oversell', value: oversell, unit: 'coupons+fen', backend: 'redis', level: 'http', granted });
    report({ bench: BENCH, metric: 'limit_violations', value: violations, unit: 'persons', backend: 'redis', level: 'http' });
  } finally {
    await new Promise((r) => server.close(r));
    server.closeAllConnections();
  }
}

export async function run(argv: string[]): Promise<void> {
  const parsed = optionsSchema.safeParse(parseArgs(argv).options);
  if (!parsed.success) throw new Error(`bench claim: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
  const config = loadConfig();
  machine(BENCH);
  await embeddedLevel(parsed.data);
  if (!config.redis) {
    process.stderr.write('bench claim: set REDIS_URL (e.g. redis://127.0.0.1:6379) for the Redis figures\n');
    return;
  }
  // The client the service runs on (no auto-pipelining, see open-store.ts) for the store and the
  // HTTP server; the store level's baselines run on an auto-pipelining one (the baseline).
  const redis = new Redis(config.redis.url, ISSUANCE_REDIS_OPTIONS);
  const pipelined = new Redis(config.redis.url, { enableAutoPipelining: true });
  const prefix = `bench:${process.pid}:${Date.now().toString(36)}:`;
  try {
    await storeLevel(redis, pipelined, prefix, parsed.data);
    await deleteByPrefix(redis, prefix);
    if (!parsed.data['no-http']) await httpLevel(redis, prefix, parsed.data);
  } finally {
    await deleteByPrefix(redis, prefix);
    await redis.quit();
    await pipelined.quit();
  }
}
