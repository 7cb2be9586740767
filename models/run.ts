// One model run over a window: graph, rings, price baselines, merchant features and forest scores,
// and the flags they produce. Pure: the same window, model and seed give the same flags.
import type { Flag } from '../core/decision.ts';
import { buildGraph, type BuildOptions } from './graph/build.ts';
import { componentCount as countComponents } from './graph/communities.ts';
import { communitiesOfMapping, louvainCommunities, louvainInput } from './graph/communities.ts';
import { graphIndex } from './graph/build.ts';
import { LouvainWorker } from './graph/louvain-worker.ts';
import {
  communityAccountRange, communityCandidates, detectRings, detectRingsBeforeCommunities, mergeScored, merchantsSharingCards, RING_CONFIG, scoreCandidates, scoreRings,
  type RingConfig, type RingFlag,
} from './graph/rings.ts';
import { FEATURE_NAMES, merchantFeatures, merchantFeaturesBeforeRings, type MerchantFeatures, type RingMembership } from './merchant/features.ts';
import { scoreMerchants, type MerchantForest, type MerchantScore } from './merchant/forest.ts';
import { merchantReasons } from './merchant/reasons.ts';
import { priceBaselines, type PriceBaselines } from './prices/baselines.ts';
import type { ModelWindow } from './window.ts';

export interface MerchantFlag extends Flag {
  entityType: 'merchant';
  evidence: { modelVersion: string; risk: number; shares: Record<string, number>; features: Record<string, number> };
}

export interface RunOptions {
  seed: number | string;
  forest?: MerchantForest;
  ringConfig: RingConfig;
  build: Partial<BuildOptions>;
  /** A merchant is flagged when at least this share of trees votes for one fraud type. */
  merchantCutoff: number;
}

export interface ModelRun {
  flags: Array<RingFlag | MerchantFlag>;
  rings: RingFlag[];
  merchantScores: MerchantScore[];
  features: MerchantFeatures[];
  baselines: PriceBaselines;
  stats: { nodes: number; edges: number; components: number; candidates: number };
  timingsMs: Record<'build' | 'components' | 'rings' | 'merchants', number>;
  /** CPU time of the process per stage (user + system): what a shared machine's load does not inflate. */
  cpuMs: Record<'build' | 'components' | 'rings' | 'merchants', number>;
}

function cpuMsNow(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

export const DEFAULT_MERCHANT_CUTOFF = 0.5;

export function ringMembership(window: ModelWindow, rings: readonly RingFlag[]): RingMembership {
  const merchants = new Set(window.merchants.map((m) => m.merchantId));
  const merchantScore = new Map<string, number>();
  const flaggedAccounts = new Set<string>();
  for (const r of rings)
    for (const m of r.members) {
      if (merchants.has(m)) merchantScore.set(m, Math.max(merchantScore.get(m) ?? 0, r.score));
      else flaggedAccounts.add(m);
    }
  return { merchantScore, flaggedAccounts };
}

export function runModels(window: ModelWindow, options: Partial<RunOptions> = {}): ModelRun {
  const seed = options.seed ?? 1;
  const c0 = cpuMsNow(), t0 = performance.now();
  const graph = buildGraph(window, options.build);
  const c1 = cpuMsNow(), t1 = performance.now();
  const componentCount = countComponents(graph);
  const c2 = cpuMsNow(), t2 = performance.now();
  const candidates = detectRings(graph, { seed, config: options.ringConfig ?? RING_CONFIG });
  const rings = scoreRings(graph, candidates, options.ringConfig ?? RING_CONFIG);
  const c3 = cpuMsNow(), t3 = performance.now();
  const baselines = priceBaselines(window);
  const features = merchantFeatures(window, baselines, ringMembership(window, rings), { huggingFraction: options.build?.huggingFraction });
  const merchantFlags = merchantFlagsOf(features, options);
  const merchantScores = merchantFlags.scores;
  const c4 = cpuMsNow(), t4 = performance.now();
  return {
    flags: [...rings, ...merchantFlags.flags],
    rings,
    merchantScores,
    features,
    baselines,
    stats: { nodes: graph.order, edges: graph.size, components: componentCount, candidates: candidates.length },
    timingsMs: { build: t1 - t0, components: t2 - t1, rings: t3 - t2, merchants: t4 - t3 },
    cpuMs: { build: c1 - c0, components: c2 - c1, rings: c3 - c2, merchants: c4 - c3 },
  };
}

function merchantFlagsOf(features: MerchantFeatures[], options: Partial<RunOptions>): { flags: MerchantFlag[]; scores: MerchantScore[] } {
  const merchantScores = options.forest ? scoreMerchants(options.forest, features) : [];
  const cutoff = options.merchantCutoff ?? DEFAULT_MERCHANT_CUTOFF;
  const merchantFlags: MerchantFlag[] = [];
  const featureOf = new Map(features.map((f) => [f.merchantId, f.values]));
  for (const s of merchantScores) {
    if (s.fraudShare < cutoff) continue;
    const values = featureOf.get(s.merchantId)!;
    merchantFlags.push({
      entityType: 'merchant',
      entityId: s.merchantId,
      fraudType: s.fraudType,
      score: Math.round(s.fraudShare * 1000) / 1000,
      reasons: [`MODEL.MERCHANT_RISK.${s.fraudType.toUpperCase()}`, ...merchantReasons(values)],
      evidence: {
        modelVersion: options.forest!.file.version,
        risk: Math.round(s.risk * 1000) / 1000,
        shares: s.shares,
        features: Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, Math.round(values[i]! * 1000) / 1000])),
      },
    });
  }
  return { flags: merchantFlags, scores: merchantScores };
}

/**
 * runModels with Louvain on a worker thread beside the main thread: the same flags, scores and
 * features (run.test.ts holds the two equal). Louvain over the whole window is the largest single
 * step after the build (~3 CPU-s on a million edges) and the rest of the run does not need it
 * until the last cash-out candidates: so right after the build the worker is sent the edge arrays
 * (and stopped if no merchant has enough card-sharing customers: then detectRings does not run
 * Louvain either) and the main thread goes on with the search for those merchants, the other
 * candidates, their scoring, the price baselines and the merchant features; then the community candidates are scored and merged, and the ring features added.
 */
export async function runModelsConcurrent(window: ModelWindow, options: Partial<RunOptions> = {}): Promise<ModelRun & { louvainWorkerMs?: number; louvainWaitMs?: number }> {
  const seed = options.seed ?? 1;
  const cfg = options.ringConfig ?? RING_CONFIG;
  // Started first: loading the thread's modules overlaps the build.
  let worker: LouvainWorker | undefined = new LouvainWorker();
  try {
    const c0 = cpuMsNow(), t0 = performance.now();
    const graph = buildGraph(window, options.build);
    const c1 = cpuMsNow(), t1 = performance.now();
    const componentCount = countComponents(graph);
    const c2 = cpuMsNow(), t2 = performance.now();
    // Louvain is started before it is known to be needed (it is when a merchant has enough
    // card-sharing customers), so that it runs beside that search too; when it is not, the thread
    // is stopped and its result never read, as detectRings does not run it.
    const index = graphIndex(graph);
    let louvain = graph.size && index ? worker.run(louvainInput(index), { seed }) : undefined;
    const known = merchantsSharingCards(graph, cfg);
    if (!known.size || !louvain) {
      louvain?.catch(() => undefined);
      louvain = undefined;
      await worker.close();
      worker = undefined;
    }
    const { candidates, sharingAt } = detectRingsBeforeCommunities(graph, cfg, known);
    const scored = scoreCandidates(graph, candidates, cfg);
    const c3 = cpuMsNow(), t3 = performance.now();
    const baselines = priceBaselines(window);
    const finishFeatures = merchantFeaturesBeforeRings(window, baselines, { huggingFraction: options.build?.huggingFraction });
    const c4 = cpuMsNow(), t4 = performance.now();
    let louvainWorkerMs: number | undefined, louvainWaitMs: number | undefined;
    const all = [...candidates];
    if (sharingAt.size) {
      let communities;
      if (louvain && index) {
        const w0 = performance.now();
        const { mapping, ms } = await louvain;
        louvainWaitMs = performance.now() - w0;
        louvainWorkerMs = ms;
        communities = communitiesOfMapping(index, mapping, { accounts: communityAccountRange(cfg) });
      } else communities = louvainCommunities(graph, { seed, accounts: communityAccountRange(cfg) });
      const more = communityCandidates(communities, sharingAt, cfg, graph);
      all.push(...more);
      scored.push(...scoreCandidates(graph, more, cfg));
    }
    const rings = mergeScored(scored);
    const c5 = cpuMsNow(), t5 = performance.now();
    const features = finishFeatures(ringMembership(window, rings));
    const merchantFlags = merchantFlagsOf(features, options);
    const c6 = cpuMsNow(), t6 = performance.now();
    return {
      flags: [...rings, ...merchantFlags.flags],
      rings,
      merchantScores: merchantFlags.scores,
      features,
      baselines,
      stats: { nodes: graph.order, edges: graph.size, components: componentCount, candidates: all.length },
      timingsMs: { build: t1 - t0, components: t2 - t1, rings: t3 - t2 + (t5 - t4), merchants: t4 - t3 + (t6 - t5) },
      cpuMs: { build: c1 - c0, components: c2 - c1, rings: c3 - c2 + (c5 - c4), merchants: c4 - c3 + (c6 - c5) },
      louvainWorkerMs,
      louvainWaitMs,
    };
  } finally {
    await worker?.close();
  }
}
