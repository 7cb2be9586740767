// `npm run bench -- models [--users N] [--cash-out-rings N] [--calibrate] [--models-only] [--compare-sync [--rounds N]]`: the graph and forest models end to end.
// A seeded synthetic city (honest users sharing some devices and carrier IP ranges, a few bot
// farms) is written to the embedded store; then one model run is timed: query the window, build
// the graph, components and Louvain, ring and merchant scoring, writing flags. Peak memory is the
// highest RSS sampled during the run (and the process's maxRSS). Then forest training on a bounded
// stratified set, and merchant scoring throughput.
import { rmSync } from 'node:fs';
import { UndirectedGraph } from 'graphology';
import { connectedComponents } from 'graphology-components';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCstIso } from '../core/clock.ts';
import { CATEGORIES, DISTRICTS, FRAUD_TYPES, type QuanguardEvent } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { Rng } from '../core/rng.ts';
import { createAnalyticsStore } from '../ingest/store/analytics-store.ts';
import { eventRow, EVENT_TABLES } from '../ingest/store/rows.ts';
import { parseArgs } from '../cli/args.ts';
import { FEATURE_NAMES } from '../models/merchant/features.ts';
import { scoreMerchants, trainForest, DEFAULT_TRAIN_OPTIONS, type LabelledRow } from '../models/merchant/forest.ts';
import { runModels, runModelsConcurrent } from '../models/run.ts';
import { writeFlags } from '../models/sink/flags-store.ts';
import { loadWindow } from '../models/source/clickhouse.ts';
import { cpuUsageWithChildren } from './_cpu.ts';
import { machine, report } from './report.ts';

const BENCH = 'models';
const DAY = 86_400_000;
const START = Date.parse('2026-05-01T10:00:00.000+08:00');

function hex(rng: Rng): string {
  return rng.hex(64);
}

/**
 * A city of `users` accounts, 4 claims and ~3 redemptions each, farms of 30 accounts on 2 devices,
 * and (cashOutRings) rings of 8 accounts that share 2 cards and spend every coupon at one shop just
 * over the threshold: with one in the window the models run Louvain, as they do on a real window.
 * The rings take the same random draws as the honest users they replace, so the rest of the city is
 * the same with or without them.
 */
export function* cityEvents(users: number, seed: number, cashOutRings = 0): Generator<QuanguardEvent> {
  const rng = new Rng(seed);
  const merchants = Array.from({ length: Math.max(50, Math.round(users / 60)) }, (_, i) => `mch_bench${i}`);
  const batches = [0, 1, 2, 3].map((i) => ({ batchId: `bat_bench${i}`, dropAt: toCstIso(START + i * 7 * DAY), validUntil: toCstIso(START + 40 * DAY), coupons: [{ couponTypeId: 'cpt_bench100', kind: 'threshold' as const, thresholdFen: 10_000, discountFen: 2_000, quantity: users * 4, categories: [...CATEGORIES] }] }));
  yield { eventId: 'evt_bench_campaign', type: 'campaign.published', occurredAt: toCstIso(START - 10 * DAY), campaignId: 'cmp_bench', name: 'bench', startsAt: toCstIso(START), endsAt: toCstIso(START + 40 * DAY), budgetFen: 10 ** 12, batches, limits: { perPerson: 4, perPersonPerType: 4, perPersonPerBatch: 1 }, refundPolicy: 'never_return' };
  for (const m of merchants)
    yield { eventId: `evt_${m}`, type: 'merchant.registered', occurredAt: toCstIso(START - 30 * DAY), merchantId: m, name: m, category: rng.pick(CATEGORIES), district: rng.pick(DISTRICTS.slice(0, 6)), lat: 34.5 + rng.next() * 0.4, lon: 119 + rng.next() * 0.4 };
  const ranges = Array.from({ length: Math.max(20, Math.round(users / 150)) }, () => `${rng.int(36, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}`);
  let n = 0;
  for (let u = 0; u < users; u++) {
    const farm = u % 2000 < 30; // 1.5% of accounts sit in farms of 30 on 2 devices
    const userId = `usr_bench${u}`;
    const device = farm ? `dev_farm${Math.floor(u / 2000)}_${u % 2}` : rng.bool(0.15) ? `dev_family${Math.floor(u / 3)}` : `dev_bench${u}`;
    const ips = [0, 1, 2].map(() => `${rng.pick(ranges)}.${rng.int(2, 254)}`);
    const ring = !farm && u % 2000 >= 1000 && u % 2000 < 1008 && Math.floor(u / 2000) < cashOutRings;
    const drawnCard = hex(rng);
    const card = ring ? `card_ring${Math.floor(u / 2000)}_${u % 2}` : drawnCard;
    const base = { idHash: hex(rng), phoneHash: hex(rng) };
    for (const b of batches) {
      const at = Date.parse(b.dropAt) + (farm ? rng.int(5, 900) : rng.int(1_000, 6 * 3_600_000));
      yield { eventId: `evt_c${n++}`, type: 'claim', occurredAt: toCstIso(at), claimId: `clm_${n}`, couponId: `cpn_${n}`, campaignId: 'cmp_bench', batchId: b.batchId, couponTypeId: 'cpt_bench100', userId, ...base, deviceId: device, ip: rng.pick(ips), channel: 'app', userAgent: farm ? 'okhttp/4.9' : 'Mozilla/5.0', accountCreatedAt: toCstIso(START - (farm ? 3 : 400) * DAY) };
    }
    for (let r = 0; r < 3; r++) {
      const drawnFen = rng.int(10_000, 40_000);
      const orderFen = ring ? 10_000 + (drawnFen % 1_000) : drawnFen;
      const at = START + rng.int(0, 30 * DAY);
      const drawnMerchant = rng.pick(merchants);
      const merchantId = ring ? merchants[Math.floor(u / 2000) % merchants.length]! : drawnMerchant;
      yield { eventId: `evt_r${n++}`, type: 'redemption', occurredAt: toCstIso(at), redemptionId: `rdm_${n}`, couponId: `cpn_r${n}`, campaignId: 'cmp_bench', couponTypeId: 'cpt_bench100', userId, merchantId, orderId: `ord_${n}`, orderFen, discountFen: 2_000, paidFen: orderFen - 2_000, cardHash: card, deviceId: device, ip: rng.pick(ips), lat: 34.6, lon: 119.2 };
    }
  }
}

export async function fill(store: ReturnType<typeof createAnalyticsStore>, events: Iterable<QuanguardEvent>): Promise<number> {
  const pending = new Map<string, Record<string, unknown>[]>();
  let total = 0;
  const flush = async (table: string) => {
    const rows = pending.get(table);
    if (rows?.length) await store.insert(table, rows);
    pending.set(table, []);
  };
  for (const e of events) {
    const t = EVENT_TABLES[e.type];
    const rows = pending.get(t) ?? pending.set(t, []).get(t)!;
    rows.push(eventRow(e));
    total++;
    if (rows.length >= 100_000) await flush(t);
  }
  for (const t of pending.keys()) await flush(t);
  return total;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/**
 * Plain graphology on a random graph of 500k nodes and 1M edges (addEdge, then connected
 * components): what this machine does right now without any of our code, so the figures above
 * can be read against the ~10 s / ~1.5 s that DEPENDENCIES.md measured on a quiet machine.
 */
function calibrate(): { buildS: number; componentsS: number; buildCpuS: number } {
  const g = new UndirectedGraph();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < 500_000; i++) g.addNode('n' + i);
  const rng = new Rng(11);
  while (g.size < 1_000_000) {
    const a = 'n' + rng.int(0, 499_999), b = 'n' + rng.int(0, 499_999);
    if (a !== b && !g.hasEdge(a, b)) g.addEdge(a, b, { w: 1 });
  }
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  connectedComponents(g);
  const t2 = performance.now();
  const buildCpuS = (c1.user + c1.system) / 1e6;
  report({ bench: BENCH, metric: 'calibration_graphology_build_1m_s', value: (t1 - t0) / 1000, unit: 's', cpuS: round2(buildCpuS) });
  report({ bench: BENCH, metric: 'calibration_graphology_components_1m_s', value: (t2 - t1) / 1000, unit: 's', baseline: 1.5 });
  return { buildS: (t1 - t0) / 1000, componentsS: (t2 - t1) / 1000, buildCpuS };
}

export async function run(argv: string[]): Promise<void> {
  const { options } = parseArgs(argv);
  const users = Number(options.users ?? 110_000);
  const cashOutRings = Number(options['cash-out-rings'] ?? 2);
  machine(BENCH);
  const path = join(tmpdir(), `qg-bench-models-${process.pid}`);
  let measured: { edges: number; buildS: number; endToEndS: number; endToEndCpuS: number } | undefined;
  const store = createAnalyticsStore({ embeddedPath: path, database: 'bench_models' }, silentLogger);
  try {
    await store.migrate();
    const loadStarted = performance.now();
    const events = await fill(store, cityEvents(users, 7, cashOutRings));
    report({ bench: BENCH, metric: 'setup_events_loaded', value: events, unit: 'events', backend: 'chdb', ms: Math.round(performance.now() - loadStarted) });

    // CPU seconds of the process (main thread, its threads) and of embedded ClickHouse (a child
    // process) beside every wall figure: on a machine shared with other engineers the wall time
    // moves with their load.
    const cpuS = () => {
      const c = cpuUsageWithChildren();
      return (c.user + c.system) / 1e6;
    };
    const loadBefore = loadavg()[0]!;
    const rss = sampleRss();
    const c0 = cpuS(), t0 = performance.now();
    const window = await loadWindow(store, { fromMs: START - 14 * DAY, toMs: START + 45 * DAY });
    const c1 = cpuS(), t1 = performance.now();
    const result = await runModelsConcurrent(window, { seed: 1 });
    const c2 = cpuS(), t2 = performance.now();
    await writeFlags(store, result.flags, START + 45 * DAY);
    const c3 = cpuS(), t3 = performance.now();
    const peak = rss.stop();
    const ctx = { backend: 'chdb', users, cashOutRings, nodes: result.stats.nodes, edges: result.stats.edges, flags: result.flags.length, candidates: result.stats.candidates, loadavg1m: [round2(loadBefore), round2(loadavg()[0]!)] };
    report({ bench: BENCH, metric: 'window_edges', value: result.stats.edges, unit: 'edges', ...ctx });
    report({ bench: BENCH, metric: 'end_to_end_s', value: (t3 - t0) / 1000, unit: 's', baseline: 15, cpuS: round2(c3 - c0), ...ctx });
    report({ bench: BENCH, metric: 'query_s', value: (t1 - t0) / 1000, unit: 's', cpuS: round2(c1 - c0), rows: window.claims.length + window.redemptions.length, ...ctx });
    const cpuMs: Partial<Record<string, number>> = (result as { cpuMs?: Record<string, number> }).cpuMs ?? {};
    for (const [k, v] of Object.entries(result.timingsMs)) report({ bench: BENCH, metric: `${k}_s`, value: v / 1000, unit: 's', cpuS: cpuMs[k] === undefined ? undefined : round2(cpuMs[k]! / 1000), ...ctx });
    report({ bench: BENCH, metric: 'models_s', value: (t2 - t1) / 1000, unit: 's', cpuS: round2(c2 - c1), ...ctx });
    report({ bench: BENCH, metric: 'write_flags_s', value: (t3 - t2) / 1000, unit: 's', cpuS: round2(c3 - c2), ...ctx });
    measured = { edges: result.stats.edges, buildS: result.timingsMs.build / 1000, endToEndS: (t3 - t0) / 1000, endToEndCpuS: c3 - c0 };
    report({ bench: BENCH, metric: 'peak_rss_mib', value: peak / 2 ** 20, unit: 'MiB', maxRssMib: process.resourceUsage().maxRSS / 1024, ...ctx });
    if (result.louvainWorkerMs !== undefined)
      report({ bench: BENCH, metric: 'louvain_worker_s', value: result.louvainWorkerMs / 1000, unit: 's', waitedS: round2((result.louvainWaitMs ?? 0) / 1000), ...ctx });
    if (options['compare-sync']) {
      // The same window through runModels (everything on the main thread, Louvain included) and
      // runModelsConcurrent again, alternated for two rounds in this run (the first run above had a
      // cold JIT): wall and CPU side by side, and the flags and features must be the same bytes.
      const flagsJson = JSON.stringify(result.flags), featuresJson = JSON.stringify(result.features);
      for (let round = 1; round <= Number(options.rounds ?? 2); round++)
        for (const path of ['sync', 'concurrent'] as const) {
          const s0 = cpuS(), w0 = performance.now(), l0 = loadavg()[0]!;
          const r = path === 'sync' ? runModels(window, { seed: 1 }) : await runModelsConcurrent(window, { seed: 1 });
          const s1 = cpuS(), w1 = performance.now();
          const same = JSON.stringify(r.flags) === flagsJson && JSON.stringify(r.features) === featuresJson;
          const stages = Object.fromEntries(Object.entries(r.timingsMs).map(([k, v]) => [k, round2(v / 1000)]));
          const lw = r as { louvainWorkerMs?: number; louvainWaitMs?: number };
          const worker = lw.louvainWorkerMs !== undefined ? { louvainWorkerS: round2(lw.louvainWorkerMs / 1000), louvainWaitS: round2((lw.louvainWaitMs ?? 0) / 1000) } : {};
          report({ bench: BENCH, metric: `models_${path}_s`, value: (w1 - w0) / 1000, unit: 's', cpuS: round2(s1 - s0), round, stagesS: stages, ...worker, sameFlagsAndFeatures: same, loadavg1m: [round2(l0), round2(loadavg()[0]!)] });
          if (!same) throw new Error(`bench models: ${path} run ${round} gave different flags or features from the first run`);
        }
    }
  } finally {
    await store.close();
    rmSync(path, { recursive: true, force: true });
  }

  if (options.calibrate && measured) {
    // Our figures per million edges against plain graphology's million random edges, same run: the
    // ratio is what a loaded machine does not change much.
    const plain = calibrate();
    const perMillion = 1_000_000 / measured.edges;
    report({ bench: BENCH, metric: 'build_s_per_1m_edges', value: measured.buildS * perMillion, unit: 's', baseline: plain.buildS, edges: measured.edges });
    report({ bench: BENCH, metric: 'end_to_end_s_per_1m_edges', value: measured.endToEndS * perMillion, unit: 's', baseline: plain.buildS, edges: measured.edges });
    report({ bench: BENCH, metric: 'end_to_end_cpu_s_per_1m_edges', value: measured.endToEndCpuS * perMillion, unit: 's', baseline: plain.buildCpuS, edges: measured.edges });
  }

  if (options['models-only']) return;
  // Forest training on the default bound: 5,000 candidate rows of which the stratifier keeps a capped set.
  const rng = new Rng(3);
  const rows: LabelledRow[] = Array.from({ length: 5_000 }, (_, i) => {
    const label = i % 25 === 0 ? FRAUD_TYPES[(i / 25) % FRAUD_TYPES.length]! : 'legitimate';
    const k = label === 'legitimate' ? 0 : FRAUD_TYPES.indexOf(label) + 1;
    return { id: `m${i}`, label, values: FEATURE_NAMES.map((_, f) => rng.next() + (f % 6 === k ? 0.8 : 0)) };
  });
  const trainStarted = performance.now();
  const forest = trainForest(rows, { version: 'merchant-risk@0', trainedOn: 'bench', seed: 1 });
  const trainS = (performance.now() - trainStarted) / 1000;
  report({ bench: BENCH, metric: 'forest_training_s', value: trainS, unit: 's', rowsOffered: rows.length, rowsUsed: forest.file.metrics.rows, trees: DEFAULT_TRAIN_OPTIONS.nEstimators, features: FEATURE_NAMES.length });
  report({ bench: BENCH, metric: 'forest_training_rows', value: forest.file.metrics.rows, unit: 'rows', rowsPerClass: forest.file.metrics.rowsPerClass });

  const merchants = Array.from({ length: 20_000 }, (_, i) => ({ merchantId: `m${i}`, values: rows[i % rows.length]!.values }));
  const scoreStarted = performance.now();
  scoreMerchants(forest, merchants);
  const scoreS = (performance.now() - scoreStarted) / 1000;
  report({ bench: BENCH, metric: 'scoring_merchants_per_s', value: merchants.length / scoreS, unit: '1/s', merchants: merchants.length, trees: DEFAULT_TRAIN_OPTIONS.nEstimators });
}
