// Ring detection: candidate groups from three groupings (identity clusters, accounts behind one IP
// range, Louvain communities around a merchant), each scored against three patterns. A group that
// crosses its pattern's cut-off becomes a ring flag with its members and the figures and edges
// that made the case. Cut-offs are versioned data (RING_CONFIG), not code.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Flag } from '../../core/decision.ts';
import type { FraudType } from '../../core/events.ts';
import { nodeKey, type ModelGraph } from './build.ts';
import { linkedGroups, louvainCommunities } from './communities.ts';
import { groupFigures, type EvidenceEdge, type RingFigures } from './figures.ts';

const fraudTypeSchema = z.enum(['bot_claiming', 'cash_out', 'hoarding', 'subsidy_fraud', 'price_gouging']);

export const ringConfigSchema = z.object({
  version: z.string(),
  newAccountDays: z.number().positive(),
  maxEvidenceEdges: z.number().int().positive(),
  /**
   * minAccounts: a device cluster this size stands as a ring alone; smaller ones (down to 2) join
   * a ring only through an IP range they share with one.
   */
  botFarm: z.object({ minAccounts: z.number().int().min(2), minDropBurstShare: z.number().min(0).max(1), cutoff: z.number() }),
  /**
   * A shell: a group of at least shellMinAccounts that spends most of its coupons (shellGroupShare)
   * at one shop enrolled shortly before the start (shellMaxShopAgeDays), and is most of that shop's
   * coupon business (shellShopShare).
   */
  /**
   * minAccountsPerPersonAlone: this many accounts on one ID hash stand as a ring by themselves; two
   * accounts on one ID hash count only when they also share a device, phone or card (see patternScore).
   */
  manyIdentities: z.object({ cutoff: z.number(), minAccountsPerPersonAlone: z.number().int().min(2), shellMinAccounts: z.number().int().min(2), shellGroupShare: z.number(), shellShopShare: z.number(), shellMaxShopAgeDays: z.number() }),
  /** minMemberHugging: a customer joins a cash-out group only if this share of its orders there hug thresholds. */
  cashOut: z.object({ minAccounts: z.number().int().min(2), minMemberHugging: z.number().min(0).max(1), maxCommunityAccounts: z.number().int().positive(), cutoff: z.number() }),
  fraudType: z.object({ botFarm: fraudTypeSchema, manyIdentities: fraudTypeSchema, cashOut: fraudTypeSchema }),
});
export type RingConfig = z.infer<typeof ringConfigSchema>;

export const RING_CONFIG: RingConfig = ringConfigSchema.parse({
  version: 'rings@3',
  newAccountDays: 7,
  maxEvidenceEdges: 40,
  botFarm: { minAccounts: 3, minDropBurstShare: 0.6, cutoff: 0.6 },
  manyIdentities: { cutoff: 0.6, minAccountsPerPersonAlone: 3, shellMinAccounts: 3, shellGroupShare: 0.6, shellShopShare: 0.5, shellMaxShopAgeDays: 20 },
  cashOut: { minAccounts: 4, minMemberHugging: 0.5, maxCommunityAccounts: 400, cutoff: 0.6 },
  fraudType: { botFarm: 'bot_claiming', manyIdentities: 'subsidy_fraud', cashOut: 'cash_out' },
});

export type RingPattern = 'botFarm' | 'manyIdentities' | 'cashOut';
export type CandidateSource = 'identity_cluster' | 'owner_cluster' | 'shared_cards_at_merchant' | 'merchant_community';

export interface RingCandidate {
  pattern: RingPattern;
  source: CandidateSource;
  /** Account node keys. */
  accounts: string[];
  /** The merchant node the group formed around, when there is one. */
  anchor?: string;
}

export interface RingFlag extends Flag {
  entityType: 'ring';
  members: string[];
  evidence: { pattern: RingPattern; source: CandidateSource; anchor?: string; figures: RingFigures; edges: EvidenceEdge[]; configVersion: string };
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

function reasons(list: Array<[boolean, string]>): string[] {
  return list.filter(([on]) => on).map(([, code]) => code);
}

/** A pattern's score in [0, 1] and the reason codes of the signals that carried it. */
export function patternScore(pattern: RingPattern, f: RingFigures, cfg: RingConfig): { score: number; reasons: string[] } {
  switch (pattern) {
    case 'botFarm': {
      // Claiming within seconds of the drop on nearly every claim is what honest people rarely do
      // (a few keen ones do, alone); a group of accounts tied by devices doing it is the farm.
      if (f.accounts < 2 || f.dropBurstShare < cfg.botFarm.minDropBurstShare) return { score: 0, reasons: [] };
      const concentration = clamp01((f.maxAccountsPerDevice - 1) / 9);
      const score = 0.55 + 0.15 * f.dropBurstShare + 0.3 * ((concentration + f.automationShare + f.newAccountShare) / 3);
      return {
        score,
        reasons: reasons([
          [true, 'RING.BOT_FARM.CLAIMS_AT_DROP'],
          [f.maxAccountsPerDevice >= 3, 'RING.BOT_FARM.ACCOUNTS_PER_DEVICE'],
          [f.maxAccountsPerIpRange >= 5, 'RING.BOT_FARM.ACCOUNTS_PER_IP_RANGE'],
          [f.automationShare >= 0.3, 'RING.BOT_FARM.AUTOMATION_USER_AGENT'],
          [f.newAccountShare >= 0.5, 'RING.BOT_FARM.NEW_ACCOUNTS'],
        ]),
      };
    }
    case 'manyIdentities': {
      // One natural person is one ID hash: several accounts on one hash is the plainest sign; an
      // owner claiming coupons and spending them at their own shop is the shell-shop sign.
      // Two accounts on one hash that share nothing else (own phone, device and card each, often
      // far apart) are two people whose numbers hash alike (a mistyped or colliding ID in the
      // import), not one person farming: on city seed 2 such pairs were ~all of the honest
      // accounts the ring model flagged. A person behind several accounts reuses a phone, a device
      // or a card, or has three or more.
      const linkedOtherwise = f.maxAccountsPerDevice >= 2 || f.maxAccountsPerPhone >= 2 || f.maxAccountsPerCard >= 2;
      const perPerson = f.maxAccountsPerPerson >= cfg.manyIdentities.minAccountsPerPersonAlone || (f.maxAccountsPerPerson >= 2 && linkedOtherwise) ? 0.6 + 0.1 * Math.min(4, f.maxAccountsPerPerson - 1) : 0;
      // An owner shopping at their own shop alone is ordinary; with other identities it is a ring.
      const owner = f.ownerRedemptionShare > 0 && f.accounts >= 2 ? 0.6 + 0.4 * clamp01(f.ownerRedemptionShare * 2) : 0;
      const shell = isShell(f, cfg) ? 0.65 + 0.2 * clamp01(f.groupShareOfTopMerchant) : 0;
      const score = Math.max(perPerson, owner, shell) * (f.accounts >= 2 || owner > 0 ? 1 : 0);
      return {
        score: Math.min(1, score + (perPerson && owner ? 0.1 : 0)),
        reasons: reasons([
          [perPerson > 0, 'RING.MANY_IDENTITIES.ACCOUNTS_PER_PERSON'],
          [owner > 0, 'RING.MANY_IDENTITIES.OWNER_REDEEMS_AT_OWN_SHOP'],
          [shell > 0, 'RING.MANY_IDENTITIES.NEW_SHOP_CAPTURED'],
          [f.maxAccountsPerCard >= 2, 'RING.MANY_IDENTITIES.SHARED_CARD'],
          [f.maxAccountsPerPhone >= 2, 'RING.MANY_IDENTITIES.SHARED_PHONE'],
        ]),
      };
    }
    case 'cashOut': {
      // A shop whose owner is among the group is a shell (many identities), not a colluding shop.
      if (f.accounts < cfg.cashOut.minAccounts || f.ownerRedemptionShare > 0) return { score: 0, reasons: [] };
      const sharing = clamp01(f.sharedCardAccountShare);
      const score = 0.3 * sharing + 0.35 * f.huggingShare + 0.15 * f.refundShare + 0.2 * clamp01(f.topMerchantShareOfGroup);
      return {
        score,
        reasons: reasons([
          [sharing >= 0.5, 'RING.CASH_OUT.SHARED_CARDS'],
          [f.huggingShare >= 0.5, 'RING.CASH_OUT.THRESHOLD_HUGGING'],
          [f.refundShare >= 0.3, 'RING.CASH_OUT.REFUND_AFTER_REDEMPTION'],
          [f.topMerchantShareOfGroup >= 0.7, 'RING.CASH_OUT.ONE_MERCHANT'],
        ]),
      };
    }
  }
}

export function isShell(f: RingFigures, cfg: RingConfig): boolean {
  const c = cfg.manyIdentities;
  return f.accounts >= c.shellMinAccounts && f.topMerchantShareOfGroup >= c.shellGroupShare && f.groupShareOfTopMerchant >= c.shellShopShare && f.topMerchantAgeDays <= c.shellMaxShopAgeDays;
}

export interface DetectOptions {
  seed: number | string;
  config: RingConfig;
}

/** Candidate groups of accounts; the same graph and seed give the same list in the same order. */
export function detectRings(graph: ModelGraph, options: Partial<DetectOptions> = {}): RingCandidate[] {
  const cfg = options.config ?? RING_CONFIG;
  const { candidates, sharingAt } = detectRingsBeforeCommunities(graph, cfg);
  // A community yields a candidate only at a merchant whose card-sharing customers, cut to the
  // community, are still minAccounts: so only merchants that have that many before the cut
  // (sharingAt) can, and with none of them Louvain cannot add a candidate and is not run.
  if (sharingAt.size === 0) return candidates;
  const communities = louvainCommunities(graph, { seed: options.seed ?? 1, accounts: communityAccountRange(cfg) });
  return [...candidates, ...communityCandidates(communities, sharingAt, cfg, graph)];
}

/** Merchants (node keys, in node order) with at least cashOut.minAccounts card-sharing customers, and those customers. */
export function merchantsSharingCards(graph: ModelGraph, cfg: RingConfig = RING_CONFIG): Map<string, string[]> {
  const out = new Map<string, string[]>();
  graph.forEachNode((node, attrs) => {
    if (attrs.kind !== 'merchant') return;
    const sharing = customersSharingCards(graph, node, cfg.cashOut.minMemberHugging);
    if (sharing.length >= cfg.cashOut.minAccounts) out.set(node, sharing);
  });
  return out;
}

/** The account bounds of a community that can hold a cash-out candidate (what Louvain's result is cut to). */
export function communityAccountRange(cfg: RingConfig = RING_CONFIG): { min: number; max: number } {
  return { min: cfg.cashOut.minAccounts, max: cfg.cashOut.maxCommunityAccounts };
}

/**
 * The candidates that do not need Louvain, in detectRings' order, and the merchants a community
 * can yield a candidate at (none: Louvain need not run). `sharingAt` may be given when already
 * known (merchantsSharingCards), so that Louvain can start before the rest is worked out.
 */
export function detectRingsBeforeCommunities(graph: ModelGraph, cfg: RingConfig = RING_CONFIG, known?: Map<string, string[]>): { candidates: RingCandidate[]; sharingAt: Map<string, string[]> } {
  const out: RingCandidate[] = [];
  const isAccount = (k: string) => graph.getNodeAttribute(k, 'kind') === 'account';

  // The group of each shop owner's person node (the only nodes looked up in it below).
  const owners = new Set<string>();
  graph.forEachNode((_node, attrs) => void (attrs.kind === 'merchant' && attrs.ownerIdHash && owners.add(nodeKey('person', attrs.ownerIdHash))));
  const groupOf = new Map<string, number>();
  const groups = linkedGroups(graph);
  groups.forEach((group, i) => {
    if (owners.size) for (const n of group) if (owners.has(n)) groupOf.set(n, i);
    const accounts = group.filter(isAccount).sort();
    if (accounts.length >= 2) out.push({ pattern: 'botFarm', source: 'identity_cluster', accounts });
    if (accounts.length >= 2) out.push({ pattern: 'manyIdentities', source: 'identity_cluster', accounts });
  });

  const sharingAt = new Map<string, string[]>();
  graph.forEachNode((node, attrs) => {
    if (attrs.kind !== 'merchant') return;
    if (attrs.ownerIdHash) {
      const person = nodeKey('person', attrs.ownerIdHash);
      if (graph.hasNode(person)) {
        const g = groupOf.get(person);
        const accounts = (g === undefined ? graph.neighbors(person) : groups[g]!.filter(isAccount)).sort();
        if (accounts.some((a) => graph.hasEdge(a, node))) out.push({ pattern: 'manyIdentities', source: 'owner_cluster', anchor: node, accounts });
      }
    }
    const sharing = known ? known.get(node) : customersSharingCards(graph, node, cfg.cashOut.minMemberHugging);
    if (sharing && sharing.length >= cfg.cashOut.minAccounts) {
      out.push({ pattern: 'cashOut', source: 'shared_cards_at_merchant', anchor: node, accounts: sharing });
      sharingAt.set(node, sharing);
    }
  });
  return { candidates: out, sharingAt };
}

/** Cash-out candidates of Louvain communities (cut to communityAccountRange) at the merchants of `sharingAt`. */
export function communityCandidates(communities: Map<number, string[]>, sharingAt: Map<string, string[]>, cfg: RingConfig, graph: ModelGraph): RingCandidate[] {
  const out: RingCandidate[] = [];
  const isAccount = (k: string) => graph.getNodeAttribute(k, 'kind') === 'account';
  for (const members of communities.values()) {
    const accounts = members.filter(isAccount);
    if (accounts.length < cfg.cashOut.minAccounts || accounts.length > cfg.cashOut.maxCommunityAccounts) continue;
    for (const m of members) {
      const all = sharingAt.get(m);
      if (!all) continue;
      const inCommunity = new Set(accounts);
      const sharing = all.filter((a) => inCommunity.has(a));
      if (sharing.length >= cfg.cashOut.minAccounts) out.push({ pattern: 'cashOut', source: 'merchant_community', anchor: m, accounts: sharing });
    }
  }
  return out;
}

/**
 * Customers of a merchant whose orders there mostly hug a threshold and who paid with a card that
 * another such customer also used. Honest families share cards too; they rarely both round every
 * order up to just over the threshold at the same shop.
 */
export function customersSharingCards(graph: ModelGraph, merchant: string, minHugging: number): string[] {
  const out = new Set<string>();
  const hugs = (account: string) => {
    const e = graph.getEdgeAttributes(account, merchant);
    return e.redemptions > 0 && (e.hugging ?? 0) / e.redemptions >= minHugging;
  };
  graph.forEachNeighbor(merchant, (account) => {
    if (!hugs(account)) return;
    graph.forEachEdge(account, (_e, attrs, s, t) => {
      if (attrs.kind !== 'card') return;
      const card = s === account ? t : s;
      graph.forEachNeighbor(card, (other) => {
        if (other !== account && graph.hasEdge(other, merchant) && hugs(other)) {
          out.add(account);
          out.add(other);
        }
      });
    });
  });
  return [...out].sort();
}

/** Scores candidates and keeps those over their pattern's cut-off, merged where they overlap. */
export function scoreRings(graph: ModelGraph, candidates: readonly RingCandidate[], config: RingConfig = RING_CONFIG): RingFlag[] {
  return mergeScored(scoreCandidates(graph, candidates, config));
}

/**
 * Each candidate scored on its own (its figures read the graph only), so candidates can be scored
 * in parts and the parts, concatenated in candidate order, merged by mergeScored as scoreRings does.
 */
export function scoreCandidates(graph: ModelGraph, candidates: readonly RingCandidate[], config: RingConfig = RING_CONFIG): ScoredCandidate[] {
  const scored: Scored[] = [];
  for (const c of candidates) {
    const { figures, evidence } = groupFigures(graph, c.accounts, { newAccountDays: config.newAccountDays, maxEvidenceEdges: config.maxEvidenceEdges, anchor: c.anchor });
    const p = patternScore(c.pattern, figures, config);
    if (p.score < config[c.pattern].cutoff) continue;
    const members = c.accounts.map((a) => graph.getNodeAttribute(a, 'id'));
    if (c.anchor) members.push(graph.getNodeAttribute(c.anchor, 'id'));
    else if (c.pattern === 'manyIdentities' && figures.topMerchant && isShell(figures, config)) members.push(figures.topMerchant);
    const joinOnly = c.pattern === 'botFarm' && c.accounts.length < config.botFarm.minAccounts;
    scored.push({ joinOnly, links: c.pattern === 'botFarm' ? ipRangesOf(graph, c.accounts) : [], flag: {
      entityType: 'ring',
      entityId: ringId(members),
      fraudType: config.fraudType[c.pattern] as FraudType,
      score: round3(p.score),
      reasons: p.reasons,
      members,
      evidence: { pattern: c.pattern, source: c.source, anchor: c.anchor ? graph.getNodeAttribute(c.anchor, 'id') : undefined, figures, edges: evidence, configVersion: config.version },
    } });
  }
  return scored;
}

/** The ring flags of scored candidates, merged where they overlap. */
export function mergeScored(scored: readonly ScoredCandidate[]): RingFlag[] {
  return mergeOverlapping([...scored]);
}

/** IP ranges the group claimed from: device clusters of one farm meet on them. */
function ipRangesOf(graph: ModelGraph, accounts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const a of accounts) graph.forEachNeighbor(a, (n, attrs) => void (attrs.kind === 'iprange' && out.add(n)));
  return [...out];
}

/**
 * Flagged groups of one fraud type that share a member (or, for bot farms, an IP range) are one
 * operation seen through two groupings (a farm's device clusters meeting on the proxies they
 * share): they become one ring whose evidence is that of its strongest part.
 */
export type ScoredCandidate = Scored;
interface Scored {
  flag: RingFlag;
  links: string[];
  /** Too small to stand alone: kept only if it joins a ring that does. */
  joinOnly: boolean;
}

function mergeOverlapping(scored: Scored[]): RingFlag[] {
  const order = (a: Scored, b: Scored) => b.flag.score - a.flag.score || (a.flag.entityId < b.flag.entityId ? -1 : 1);
  scored = [...scored.filter((s) => !s.joinOnly).sort(order), ...scored.filter((s) => s.joinOnly).sort(order)];
  const owner = new Map<string, RingFlag>();
  const kept: RingFlag[] = [];
  for (const { flag: r, links, joinOnly } of scored) {
    const keys = [...r.members, ...links].map((k) => r.fraudType + '\u0000' + k);
    let into: RingFlag | undefined;
    for (const k of keys) {
      into = owner.get(k);
      if (into) break;
    }
    if (!into && joinOnly) continue;
    if (!into) {
      kept.push(r);
      into = r;
    } else {
      const have = new Set(into.members);
      for (const m of r.members) if (!have.has(m)) into.members.push(m);
      for (const code of r.reasons) if (!into.reasons.includes(code)) into.reasons.push(code);
    }
    for (const k of keys) owner.set(k, into);
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
