// Ring detection: candidate groups from three groupings (identity clusters, accounts behind one IP
// range, Louvain communities around a merchant), each scored against three patterns. A group that
// crosses its pattern's cut-off becomes a ring flag with its members and the figures and edges
// that made the case. Cut-offs are versioned data (RING_CONFIG), not code.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Flag } from '../../core/decision.ts';
import type { FraudType } from '../../core/events.ts';
import type { ModelGraph } from './build.ts';
import { linkedGroups, louvainCommunities } from './communities.ts';
import { groupFigures, type EvidenceEdge, type RingFigures } from './figures.ts';

export const ringConfigSchema = z.object({
  version: z.string(),
  minAccounts: z.number().int().min(2),
  newAccountDays: z.number().positive(),
  maxEvidenceEdges: z.number().int().positive(),
  /** Louvain communities larger than this are not read as one ring (they are neighbourhoods). */
  maxCommunityAccounts: z.number().int().positive(),
  cutoff: z.object({ botFarm: z.number(), manyIdentities: z.number(), cashOut: z.number() }),
  fraudType: z.object({
    botFarm: z.enum(['bot_claiming', 'cash_out', 'hoarding', 'subsidy_fraud', 'price_gouging']),
    manyIdentities: z.enum(['bot_claiming', 'cash_out', 'hoarding', 'subsidy_fraud', 'price_gouging']),
    cashOut: z.enum(['bot_claiming', 'cash_out', 'hoarding', 'subsidy_fraud', 'price_gouging']),
  }),
});
export type RingConfig = z.infer<typeof ringConfigSchema>;

export const RING_CONFIG: RingConfig = ringConfigSchema.parse({
  version: 'rings@1',
  minAccounts: 6,
  newAccountDays: 7,
  maxEvidenceEdges: 40,
  maxCommunityAccounts: 400,
  cutoff: { botFarm: 0.6, manyIdentities: 0.6, cashOut: 0.6 },
  fraudType: { botFarm: 'bot_claiming', manyIdentities: 'hoarding', cashOut: 'cash_out' },
});

export type RingPattern = 'botFarm' | 'manyIdentities' | 'cashOut';
export type CandidateSource = 'identity_cluster' | 'shared_ip_range' | 'merchant_community';

export interface RingCandidate {
  source: CandidateSource;
  /** Account node keys. */
  accounts: string[];
  /** The node the group formed around (an IP range, a merchant), when there is one. */
  anchor?: string;
}

export interface RingFlag extends Flag {
  entityType: 'ring';
  members: string[];
  evidence: { pattern: RingPattern; source: CandidateSource; anchor?: string; figures: RingFigures; edges: EvidenceEdge[]; configVersion: string };
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Each pattern's score in [0, 1] and the reason codes of the signals that carried it. */
export function patternScores(f: RingFigures, cfg: RingConfig): Record<RingPattern, { score: number; reasons: string[] }> {
  const big = f.accounts >= cfg.minAccounts ? 1 : 0;
  const perDevice = clamp01((f.maxAccountsPerDevice - 2) / 8);
  const perIp = clamp01((f.maxAccountsPerIpRange - 4) / 16);
  const concentration = Math.max(perDevice, perIp);
  const bot = big * (0.35 * concentration + 0.25 * f.dropBurstShare + 0.2 * f.automationShare + 0.2 * f.newAccountShare);
  const botReasons = reasons([
    [perDevice >= 0.5, 'RING.BOT_FARM.ACCOUNTS_PER_DEVICE'],
    [perIp >= 0.5, 'RING.BOT_FARM.ACCOUNTS_PER_IP_RANGE'],
    [f.dropBurstShare >= 0.5, 'RING.BOT_FARM.CLAIMS_AT_DROP'],
    [f.automationShare >= 0.3, 'RING.BOT_FARM.AUTOMATION_USER_AGENT'],
    [f.newAccountShare >= 0.5, 'RING.BOT_FARM.NEW_ACCOUNTS'],
  ]);

  const personsBehind = clamp01((f.maxPersonsPerSharedIdentifier - 2) / 6);
  const sharedCard = clamp01((f.maxAccountsPerCard - 2) / 6);
  const sharedPhone = clamp01((f.maxAccountsPerPhone - 2) / 6);
  const perPerson = clamp01((f.maxAccountsPerPerson - 2) / 4);
  const identities = big * Math.max(personsBehind, sharedCard, sharedPhone, perPerson) * (1 - 0.5 * f.automationShare);
  const idReasons = reasons([
    [personsBehind >= 0.5, 'RING.MANY_IDENTITIES.PERSONS_BEHIND_ONE_IDENTIFIER'],
    [sharedCard >= 0.5, 'RING.MANY_IDENTITIES.SHARED_CARD'],
    [sharedPhone >= 0.5, 'RING.MANY_IDENTITIES.SHARED_PHONE'],
    [perPerson >= 0.5, 'RING.MANY_IDENTITIES.ACCOUNTS_PER_PERSON'],
  ]);

  const capture = clamp01(f.groupShareOfTopMerchant * 2) * clamp01(f.topMerchantShareOfGroup * 1.5);
  const sharing = Math.max(perDevice, sharedCard, clamp01((f.maxAccountsPerIpRange - 2) / 6));
  const cash = (f.accounts >= Math.max(3, cfg.minAccounts / 2) ? 1 : 0) * (0.35 * capture + 0.25 * f.huggingShare + 0.2 * f.refundShare + 0.2 * sharing);
  const cashReasons = reasons([
    [capture >= 0.5, 'RING.CASH_OUT.MERCHANT_CAPTURE'],
    [f.huggingShare >= 0.5, 'RING.CASH_OUT.THRESHOLD_HUGGING'],
    [f.refundShare >= 0.3, 'RING.CASH_OUT.REFUND_AFTER_REDEMPTION'],
    [sharing >= 0.5, 'RING.CASH_OUT.SHARED_CARDS_OR_DEVICES'],
  ]);
  return { botFarm: { score: bot, reasons: botReasons }, manyIdentities: { score: identities, reasons: idReasons }, cashOut: { score: cash, reasons: cashReasons } };
}

function reasons(list: Array<[boolean, string]>): string[] {
  return list.filter(([on]) => on).map(([, code]) => code);
}

export interface DetectOptions {
  seed: number | string;
  config: RingConfig;
}

/** Candidate groups of accounts; the same graph and seed give the same list in the same order. */
export function detectRings(graph: ModelGraph, options: Partial<DetectOptions> = {}): RingCandidate[] {
  const cfg = options.config ?? RING_CONFIG;
  const out: RingCandidate[] = [];
  const isAccount = (k: string) => graph.getNodeAttribute(k, 'kind') === 'account';

  for (const group of linkedGroups(graph)) {
    const accounts = group.filter(isAccount);
    if (accounts.length >= cfg.minAccounts) out.push({ source: 'identity_cluster', accounts: accounts.sort() });
  }
  graph.forEachNode((node, attrs) => {
    if (attrs.kind !== 'iprange' || graph.degree(node) < cfg.minAccounts) return;
    out.push({ source: 'shared_ip_range', anchor: node, accounts: graph.neighbors(node).sort() });
  });
  for (const members of louvainCommunities(graph, { seed: options.seed ?? 1 }).values()) {
    const accounts = members.filter(isAccount);
    if (accounts.length < 3 || accounts.length > cfg.maxCommunityAccounts) continue;
    for (const m of members) {
      if (graph.getNodeAttribute(m, 'kind') !== 'merchant') continue;
      const customers = accounts.filter((a) => graph.hasEdge(a, m)).sort();
      if (customers.length >= 3) out.push({ source: 'merchant_community', anchor: m, accounts: customers });
    }
  }
  return out;
}

/** Scores candidates and keeps, per pattern, the groups over the cut-off that add new accounts. */
export function scoreRings(graph: ModelGraph, candidates: readonly RingCandidate[], config: RingConfig = RING_CONFIG): RingFlag[] {
  const scored: RingFlag[] = [];
  for (const c of candidates) {
    const { figures, evidence } = groupFigures(graph, c.accounts, { newAccountDays: config.newAccountDays, maxEvidenceEdges: config.maxEvidenceEdges });
    const p = patternScores(figures, config);
    const best = (Object.keys(p) as RingPattern[]).reduce((a, b) => (p[b].score - config.cutoff[b] > p[a].score - config.cutoff[a] ? b : a));
    if (p[best].score < config.cutoff[best]) continue;
    const members = c.accounts.map((a) => graph.getNodeAttribute(a, 'id'));
    if (best === 'cashOut' && c.anchor) members.push(graph.getNodeAttribute(c.anchor, 'id'));
    else if (best === 'cashOut' && figures.topMerchant) members.push(figures.topMerchant);
    scored.push({
      entityType: 'ring',
      entityId: ringId(members),
      fraudType: config.fraudType[best] as FraudType,
      score: round3(p[best].score),
      reasons: p[best].reasons.length ? p[best].reasons : [`RING.${best.toUpperCase()}`],
      members,
      evidence: { pattern: best, source: c.source, anchor: c.anchor ? graph.getNodeAttribute(c.anchor, 'id') : undefined, figures, edges: evidence, configVersion: config.version },
    });
  }
  return mergeOverlapping(scored);
}

/**
 * Flagged groups of one fraud type that share a member are one operation seen through two
 * groupings (a farm's two devices, and the IP range they share): they become one ring whose
 * evidence is that of its strongest part.
 */
function mergeOverlapping(scored: RingFlag[]): RingFlag[] {
  scored.sort((a, b) => b.score - a.score || (a.entityId < b.entityId ? -1 : 1));
  const owner = new Map<string, RingFlag>();
  const kept: RingFlag[] = [];
  for (const r of scored) {
    let into: RingFlag | undefined;
    for (const m of r.members) {
      const o = owner.get(r.fraudType + '\u0000' + m);
      if (o) {
        into = o;
        break;
      }
    }
    if (!into) {
      kept.push(r);
      into = r;
    } else {
      const have = new Set(into.members);
      for (const m of r.members) if (!have.has(m)) into.members.push(m);
      for (const code of r.reasons) if (!into.reasons.includes(code)) into.reasons.push(code);
    }
    for (const m of r.members) owner.set(r.fraudType + '\u0000' + m, into);
  }
  for (const r of kept) r.entityId = ringId(r.members);
  return kept;
}

/** A ring's id is a hash of its sorted members, so re-running on the same window rewrites the same flag. */
export function ringId(members: readonly string[]): string {
  return 'ring_' + createHash('sha256').update([...members].sort().join('\n')).digest('hex').slice(0, 20);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
