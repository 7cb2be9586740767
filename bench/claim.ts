// `npm run bench -- claim [--claims N] [--concurrency C] [--users U] [--rounds R] [--http-seconds S]
//   [--no-http | --http-only] [--no-full-load] [--against DIR] [--cpu-prof DIR]`
// Claims per second against the real Redis (REDIS_URL), each figure with its baseline from the same
// run: at the store level (on the client the service uses, open-store.ts) against the same claim
// script driven directly with EVALSHA and against a minimal claim-like Lua script with XADD, both
// on an ioredis client with auto-pipelining (the baseline); through HTTP against a trivial
// express handler answering fixed JSON, at full load (autocannon, closed loop, in a child process;
// `--no-full-load` skips it) and at a fixed offered rate of 2,000/s (the open-loop generator of
// bench/_http-load.ts, in a child process), every server in a fresh process of its own
// (bench/_http-server.ts) with its CPU per request, event-loop delay and GC pauses. `--against DIR` serves another checkout's claim API beside this
// tree's in the same rounds; `--cpu-prof DIR` writes the servers' CPU profiles there. Afterwards
// the bench reads every wallet back and reports oversell and limit violations as measured.
// Embedded (always, REDIS_URL or not, unless `--http-only`): the memory store with its journal
// (what `npm start` runs without Redis) against the same store without one, interleaved, and the
// replay of that journal at a restart, with the audit repeated on the replayed store.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { parseArgs } from '../cli/args.ts';
import { systemClock, toCstIso } from '../core/clock.ts';
import { loadConfig } from '../core/config.ts';
import { newId } from '../core/ids.ts';
import { Rng } from '../core/rng.ts';
import { claimTerms, couponTypeInfo, type CampaignDefinition } from '../issuance/campaign.ts';
import { ISSUANCE_REDIS_OPTIONS } from '../issuance/open-store.ts';
import { MemoryIssuanceStore } from '../issuance/state/memory.ts';
import { RedisIssuanceStore } from '../issuance/state/redis.ts';
import type { IssuanceStore } from '../issuance/state/store.ts';
import { scriptSha, scriptSource } from '../issuance/state/redis-scripts.ts';
import { deleteByPrefix } from '../issuance/testing/redis-cleanup.ts';
import { ChildServer, loadAverage, median, openLoop } from './_http-bench.ts';
import type { LoadResult as OpenLoopResult } from './_http-load.ts';
import type { ServerConfig, ServerStats } from './_http-server.ts';
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
  'http-only': z.literal(true).optional(),
  'no-full-load': z.literal(true).optional(),
  against: z.string({ error: 'takes the directory of another checkout' }).optional(),
  'cpu-prof': z.string({ error: 'takes a directory for the servers\' CPU profiles' }).optional(),
});
type Options = z.infer<typeof optionsSchema>;

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
function claimer(store: IssuanceStore, campaignId: string, quantity: number, idHashes: string[], o: Options, kinds: Map<string, number>): (i: number) => Promise<void> {
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

async function embeddedLevel(o: Options): Promise<void> {
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
async function storeLevel(redis: Redis, pipelined: Redis, prefix: string, o: Options): Promise<void> {
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

/** One server under test and what it got in each round. */
interface HttpSide {
  name: string;
  server: ChildServer;
  /** The campaigns it claims in (none for the trivial handler, which answers without looking). */
  campaigns: { full: string; warm: string; rate: string[] };
  full: LoadResult[];
  rate: OpenLoopResult[];
  stats: ServerStats[];
}

const RATE = 2000;
const WARMUP_S = 2;
const RATE_CONNECTIONS = 50;

/**
 * Every server runs in its own fresh child process (bench/_http-server.ts), as the decide bench's
 * do: not in this process, whose heap holds the store-level rounds' leftovers and whose event loop
 * would also run the other server. The trivial handler is the decide bench's (express with
 * express.json), answering a claim-shaped fixed JSON; it receives the very same request bytes as
 * the claim API. Each claim server claims in campaigns of its own, a fresh one per fixed-rate
 * round, so every round does the same work (granted, limit reached) and two trees compared with
 * `--against` do too.
 */
async function httpLevel(redis: Redis, redisUrl: string, prefix: string, o: Options): Promise<void> {
  const token = 'bench-issuance-token-0123456789';
  const store = new RedisIssuanceStore({ redis, prefix });
  const quantity = 20_000;
  const trees: { name: string; root?: string }[] = [{ name: 'claim' }];
  if (o.against) trees.push({ name: `claim@${treeName(o.against)}`, root: resolve(o.against) });
  const nodeArgs = o['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(o['cpu-prof'])}`] : [];
  const sides: HttpSide[] = [];
  const audited: string[] = [];
  const loads: number[] = [];
  let idHashes: string[] = [];
  try {
    const trivialAnswer = { result: { kind: 'granted', couponId: 'cpn_0000000000000000000000', claimId: 'clm_0000000000000000000000', batchId: 'bat_1', campaignId: 'cmp_bench_http_0', couponTypeId: 'cpt_a', replayed: false } };
    const campaignsOf = (i: number) => ({ full: `cmp_bench_http_${i}`, warm: `cmp_bench_warm_${i}`, rate: Array.from({ length: o.rounds }, (_, r) => `cmp_bench_rate_${i}_${r}`) });
    // The trivial handler gets the first claim server's requests, byte for byte.
    sides.push({ name: 'trivial', server: await ChildServer.start('_http-server.ts', { kind: 'trivial', answer: trivialAnswer } satisfies ServerConfig, nodeArgs), campaigns: campaignsOf(0), full: [], rate: [], stats: [] });
    for (const [i, t] of trees.entries()) {
      const campaigns = campaignsOf(i);
      for (const id of [campaigns.full, campaigns.warm, ...campaigns.rate]) {
        idHashes = await setUp(store, id, quantity, o.users);
        audited.push(id);
      }
      const config: ServerConfig = { kind: 'claim', redisUrl, prefix, token, ...(t.root ? { root: t.root } : {}) };
      sides.push({ name: t.name, server: await ChildServer.start('_http-server.ts', config, nodeArgs), campaigns, full: [], rate: [], stats: [] });
    }
    const claimCfg = (campaignId: string, keyPrefix: string) => ({ campaignId, couponTypes: TYPES.map((t) => t.couponTypeId), users: o.users, keyPrefix });
    // Each round starts with another server (trivial, claim; then claim, trivial; ...).
    const inOrder = (r: number) => sides.map((_, k) => sides[(k + r) % sides.length]!);

    if (!o['no-full-load'])
      for (let r = 0; r < o.rounds; r++)
        for (const s of inOrder(r))
          s.full.push(await loadGen({ connections: o.concurrency, durationS: o['http-seconds'], token, url: `http://127.0.0.1:${s.server.port}/v1/claims`, claim: claimCfg(s.campaigns.full, `h${r}_`) }));

    // The fixed-rate runs use the open-loop generator (bench/_http-load.ts: latency from each
    // request's due time, warm-up left out), not autocannon's overallRate, which bursts and
    // invents tail samples (see that file). A fresh process runs its handlers in the interpreter
    // first: one unmeasured pass each at the same rate lets the JIT settle before round 1.
    const rated = (s: HttpSide, warmupS: number, seconds: number, campaignId: string, keyPrefix: string) =>
      openLoop({ host: '127.0.0.1', port: s.server.port, rate: RATE, warmupS, seconds, connections: RATE_CONNECTIONS, source: { kind: 'claim', path: '/v1/claims', token, ...claimCfg(campaignId, keyPrefix), count: RATE * (warmupS + seconds) + 100 } });
    for (const s of sides) await rated(s, 0, WARMUP_S, s.campaigns.warm, 'w_');
    for (let r = 0; r < o.rounds; r++)
      for (const s of inOrder(r)) {
        await s.server.stats();
        s.rate.push(await rated(s, WARMUP_S, o['http-seconds'], s.campaigns.rate[r]!, `r${r}_`));
        s.stats.push(await s.server.stats<ServerStats>());
        loads.push(loadAverage());
      }
  } finally {
    for (const s of sides) await s.server.stop();
  }

  const [trivial, ...claims] = sides as [HttpSide, ...HttpSide[]];
  const mean = (xs: LoadResult[], f: (x: LoadResult) => number) => xs.reduce((a, x) => a + f(x), 0) / xs.length;
  const errs = (xs: LoadResult[]) => xs.reduce((a, x) => a + x.errors + x.timeouts, 0);
  const med = (xs: OpenLoopResult[], f: (x: OpenLoopResult) => number) => median(xs.map(f));
  const bad = (xs: OpenLoopResult[]) => xs.reduce((a, x) => a + x.non2xx + x.errors + x.unanswered, 0);
  // CPU per request does not depend on how busy the machine is: what each handler costs its process.
  const cpuPerReq = (xs: ServerStats[]) => (1e6 * xs.reduce((a, x) => a + x.cpuS, 0)) / Math.max(1, xs.reduce((a, x) => a + x.requests, 0));
  const perRoundCpu = (xs: ServerStats[]) => xs.map((x) => Math.round((1e6 * x.cpuS) / Math.max(1, x.requests)));
  for (const s of claims) {
    const tree = s.name === 'claim' ? 'this tree' : s.name.slice('claim@'.length);
    if (s.full.length)
      report({ bench: BENCH, metric: 'http_claims_per_s', value: mean(s.full, (x) => x.requestsPerS), unit: '1/s', backend: 'redis', tree, baseline: mean(trivial.full, (x) => x.requestsPerS), connections: o.concurrency, rounds: o.rounds, non2xx: s.full.reduce((a, x) => a + x.non2xx, 0), errors: errs(s.full), baselineErrors: errs(trivial.full), target: 'ratio >= 0.6' });
    report({
      bench: BENCH,
      metric: 'http_p99_ms_at_2000_per_s',
      value: med(s.rate, (x) => x.p99),
      unit: 'ms',
      backend: 'redis',
      tree,
      baseline: med(trivial.rate, (x) => x.p99),
      baselineName: 'trivial express handler, own process, same request bytes',
      rounds: o.rounds,
      loadGenerator: "open loop, latency from each request's due time (bench/_http-load.ts, separate process), median of rounds; each server in its own process",
      warmupSExcluded: WARMUP_S,
      connections: RATE_CONNECTIONS,
      perRound: s.rate.map((x) => x.p99),
      baselinePerRound: trivial.rate.map((x) => x.p99),
      achievedPerS: med(s.rate, (x) => x.achievedRps),
      baselineAchievedPerS: med(trivial.rate, (x) => x.achievedRps),
      p50: med(s.rate, (x) => x.p50),
      baselineP50: med(trivial.rate, (x) => x.p50),
      p90: med(s.rate, (x) => x.p90),
      baselineP90: med(trivial.rate, (x) => x.p90),
      errorResponses: bad(s.rate),
      baselineErrorResponses: bad(trivial.rate),
      loadAverage: median(loads),
      target: 'ratio <= 2',
    });
    report({ bench: BENCH, metric: 'http_server_cpu_us_per_request', value: cpuPerReq(s.stats), unit: 'us', backend: 'redis', tree, baseline: cpuPerReq(trivial.stats), perRound: perRoundCpu(s.stats), baselinePerRound: perRoundCpu(trivial.stats), note: 'server process only (the claim script runs in Redis)' });
    report({ bench: BENCH, metric: 'http_server_event_loop_p99_ms', value: median(s.stats.map((x) => x.loopP99Ms)), unit: 'ms', backend: 'redis', tree, baseline: median(trivial.stats.map((x) => x.loopP99Ms)), loopMaxMs: Math.max(...s.stats.map((x) => x.loopMaxMs)), baselineLoopMaxMs: Math.max(...trivial.stats.map((x) => x.loopMaxMs)) });
    report({ bench: BENCH, metric: 'http_server_gc_max_ms', value: Math.max(...s.stats.map((x) => x.gcMaxMs)), unit: 'ms', backend: 'redis', tree, baseline: Math.max(...trivial.stats.map((x) => x.gcMaxMs)), gcTotalMs: s.stats.reduce((a, x) => a + x.gcTotalMs, 0), baselineGcTotalMs: trivial.stats.reduce((a, x) => a + x.gcTotalMs, 0) });
  }
  if (claims.length > 1) {
    // Two trees in the same rounds: the per-round ratios, this tree's over the other's.
    const [ours, theirs] = claims as [HttpSide, HttpSide];
    const geo = (a: number[], b: number[]) => Math.round(Math.exp(a.reduce((x, v, i) => x + Math.log(v / b[i]!), 0) / a.length) * 1000) / 1000;
    report({ bench: BENCH, metric: 'http_p99_ms_at_2000_per_s_against_tree', value: med(ours.rate, (x) => x.p99), unit: 'ms', backend: 'redis', baseline: med(theirs.rate, (x) => x.p99), baselineName: theirs.name, perRound: ours.rate.map((x) => x.p99), baselinePerRound: theirs.rate.map((x) => x.p99), geometricMeanOfRoundRatios: geo(ours.rate.map((x) => x.p99), theirs.rate.map((x) => x.p99)) });
    report({ bench: BENCH, metric: 'http_server_cpu_us_per_request_against_tree', value: cpuPerReq(ours.stats), unit: 'us', backend: 'redis', baseline: cpuPerReq(theirs.stats), baselineName: theirs.name, perRound: perRoundCpu(ours.stats), baselinePerRound: perRoundCpu(theirs.stats), geometricMeanOfRoundRatios: geo(perRoundCpu(ours.stats), perRoundCpu(theirs.stats)) });
  }

  let oversell = 0;
  let violations = 0;
  let granted = 0;
  for (const id of audited) {
    const a = await audit(store, id, quantity, idHashes);
    oversell += a.oversell;
    violations += a.limitViolations;
    granted += a.granted;
  }
  report({ bench: BENCH, metric: 'oversell', value: oversell, unit: 'coupons+fen', backend: 'redis', level: 'http', granted });
  report({ bench: BENCH, metric: 'limit_violations', value: violations, unit: 'persons', backend: 'redis', level: 'http' });
}

/** A checkout's short commit id, or its path when it is not a git checkout. */
function treeName(dir: string): string {
  try {
    return execFileSync('git', ['-C', resolve(dir), 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return resolve(dir);
  }
}

export async function run(argv: string[]): Promise<void> {
  const parsed = optionsSchema.safeParse(parseArgs(argv).options);
  if (!parsed.success) throw new Error(`bench claim: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
  const o = parsed.data;
  if (o['http-only'] && o['no-http']) throw new Error('bench claim: --http-only and --no-http leave nothing to run');
  const config = loadConfig();
  machine(BENCH);
  if (!o['http-only']) await embeddedLevel(o);
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
    if (!o['http-only']) {
      await storeLevel(redis, pipelined, prefix, o);
      await deleteByPrefix(redis, prefix);
    }
    if (!o['no-http']) await httpLevel(redis, config.redis.url, prefix, o);
  } finally {
    await deleteByPrefix(redis, prefix);
    await redis.quit();
    await pipelined.quit();
  }
}
