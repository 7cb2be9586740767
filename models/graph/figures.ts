// The figures of a group of accounts: how many identifiers they share, when and how they claimed,
// where they redeemed. Ring scoring reads only these, and a flag carries them as its evidence.
import { nodeKey, type EdgeKind, type ModelGraph, type NodeKind } from './build.ts';

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

export interface EvidenceEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  claims: number;
  redemptions: number;
  amountFen: number;
}

export interface RingFigures {
  accounts: number;
  devices: number;
  ipRanges: number;
  persons: number;
  phones: number;
  cards: number;
  /** Most accounts of the group on one device / IP range / card / phone / person. */
  maxAccountsPerDevice: number;
  maxAccountsPerIpRange: number;
  maxAccountsPerCard: number;
  maxAccountsPerPhone: number;
  maxAccountsPerPerson: number;
  /** Distinct ID hashes seen behind the most shared device, phone or card. */
  maxPersonsPerSharedIdentifier: number;
  claims: number;
  dropBurstShare: number;
  automationShare: number;
  newAccountShare: number;
  redemptions: number;
  huggingShare: number;
  refundShare: number;
  topMerchant?: string;
  /** The group's redemptions at its top merchant / all its redemptions. */
  topMerchantShareOfGroup: number;
  /** The group's redemptions at its top merchant / all that merchant's redemptions. */
  groupShareOfTopMerchant: number;
  /** Accounts that share a card with another account of the group / accounts. */
  sharedCardAccountShare: number;
  /**
   * When the group formed around a merchant whose owner's ID hash is among the group's: the
   * group's redemptions at that merchant / all the group's redemptions. Otherwise 0.
   */
  ownerRedemptionShare: number;
  /** Days the top merchant had been registered when the campaign started (Infinity: unknown). */
  topMerchantAgeDays: number;
}

export interface FigureOptions {
  newAccountDays: number;
  maxEvidenceEdges: number;
  /** The merchant the group formed around: hugging, refunds and capture are read at it. */
  anchor?: string;
}

const DAY = 86_400_000;

export function groupFigures(graph: ModelGraph, accountKeys: readonly string[], opts: FigureOptions): { figures: RingFigures; evidence: EvidenceEdge[] } {
  const perResource = new Map<string, number>();
  const merchantRedemptions = new Map<string, number>();
  const evidence: EvidenceEdge[] = [];
  let claims = 0, atDrop = 0, automation = 0, fresh = 0, redemptions = 0, hugging = 0, refunded = 0;
  let redemptionsAtAnchor = -1;
  const kindCount: Partial<Record<NodeKind, number>> = {};

  for (const a of accountKeys) {
    const s = graph.getNodeAttribute(a, 'account');
    if (!s) continue;
    claims += s.claims;
    atDrop += s.claimsAtDrop;
    automation += s.automationClaims;
    redemptions += s.redemptions;
    hugging += s.huggingRedemptions;
    refunded += s.refundedRedemptions;
    if (s.accountCreatedAtMs !== undefined && Number.isFinite(s.firstClaimMs) && s.firstClaimMs - s.accountCreatedAtMs <= opts.newAccountDays * DAY) fresh++;
    graph.forEachEdge(a, (_e, attrs, source, target) => {
      const other = source === a ? target : source;
      if (attrs.kind === 'redeemed') merchantRedemptions.set(other, (merchantRedemptions.get(other) ?? 0) + attrs.redemptions);
      else perResource.set(other, (perResource.get(other) ?? 0) + 1);
    });
  }

  const max: Partial<Record<NodeKind, number>> = {};
  let maxPersons = 0;
  const shared: string[] = [];
  for (const [node, n] of perResource) {
    const kind = graph.getNodeAttribute(node, 'kind');
    kindCount[kind] = (kindCount[kind] ?? 0) + 1;
    if (n > (max[kind] ?? 0)) max[kind] = n;
    if (n >= 2) shared.push(node);
    if (n >= 2 && (kind === 'device' || kind === 'phone' || kind === 'card')) {
      const persons = new Set<string>();
      graph.forEachNeighbor(node, (acc) => {
        graph.forEachNeighbor(acc, (nb, attrs) => {
          if (attrs.kind === 'person') persons.add(nb);
        });
      });
      if (persons.size > maxPersons) maxPersons = persons.size;
    }
  }

  let topMerchant: string | undefined, top = 0;
  for (const [m, n] of merchantRedemptions) if (n > top || (n === top && topMerchant !== undefined && m < topMerchant)) [topMerchant, top] = [m, n];
  let ownerShare = 0;
  if (opts.anchor) {
    topMerchant = opts.anchor;
    top = merchantRedemptions.get(opts.anchor) ?? 0;
    let h = 0, rf = 0;
    for (const a of accountKeys) {
      if (!graph.hasEdge(a, opts.anchor)) continue;
      const e = graph.getEdgeAttributes(a, opts.anchor);
      h += e.hugging ?? 0;
      rf += e.refunded ?? 0;
    }
    hugging = h;
    refunded = rf;
    redemptionsAtAnchor = top;
    const owner = graph.getNodeAttribute(opts.anchor, 'ownerIdHash');
    if (owner && perResource.has(nodeKey('person', owner))) ownerShare = redemptions ? top / redemptions : 0;
  }
  let cardSharers = 0;
  for (const a of accountKeys) {
    let shares = false;
    graph.forEachEdge(a, (_e, attrs, s, t) => {
      if (shares || attrs.kind !== 'card') return;
      if ((perResource.get(s === a ? t : s) ?? 0) >= 2) shares = true;
    });
    if (shares) cardSharers++;
  }
  let merchantTotal = 0;
  if (topMerchant) graph.forEachEdge(topMerchant, (_e, attrs) => (merchantTotal += attrs.redemptions));

  // Evidence: the shared identifiers (most-used first) and the edges to the top merchant.
  shared.sort((x, y) => perResource.get(y)! - perResource.get(x)! || (x < y ? -1 : 1));
  const members = new Set(accountKeys);
  const pushEdges = (node: string) => {
    graph.forEachEdge(node, (_e, attrs, s, t) => {
      if (evidence.length >= opts.maxEvidenceEdges) return;
      const acc = s === node ? t : s;
      if (!members.has(acc)) return;
      evidence.push({ from: graph.getNodeAttribute(acc, 'id'), to: graph.getNodeAttribute(node, 'id'), kind: attrs.kind, claims: attrs.claims, redemptions: attrs.redemptions, amountFen: attrs.amountFen });
    });
  };
  for (const node of shared.slice(0, 3)) pushEdges(node);
  if (topMerchant) pushEdges(topMerchant);

  const accounts = accountKeys.length;
  return {
    figures: {
      accounts,
      devices: kindCount.device ?? 0,
      ipRanges: kindCount.iprange ?? 0,
      persons: kindCount.person ?? 0,
      phones: kindCount.phone ?? 0,
      cards: kindCount.card ?? 0,
      maxAccountsPerDevice: max.device ?? 0,
      maxAccountsPerIpRange: max.iprange ?? 0,
      maxAccountsPerCard: max.card ?? 0,
      maxAccountsPerPhone: max.phone ?? 0,
      maxAccountsPerPerson: max.person ?? 0,
      maxPersonsPerSharedIdentifier: maxPersons,
      claims,
      dropBurstShare: claims ? atDrop / claims : 0,
      automationShare: claims ? automation / claims : 0,
      newAccountShare: accounts ? fresh / accounts : 0,
      redemptions,
      huggingShare: ratio(hugging, redemptionsAtAnchor >= 0 ? redemptionsAtAnchor : redemptions),
      refundShare: ratio(refunded, redemptionsAtAnchor >= 0 ? redemptionsAtAnchor : redemptions),
      topMerchant: topMerchant ? graph.getNodeAttribute(topMerchant, 'id') : undefined,
      topMerchantShareOfGroup: redemptions ? top / redemptions : 0,
      groupShareOfTopMerchant: merchantTotal ? top / merchantTotal : 0,
      sharedCardAccountShare: accounts ? cardSharers / accounts : 0,
      ownerRedemptionShare: ownerShare,
      topMerchantAgeDays: topMerchant ? graph.getNodeAttribute(topMerchant, 'ageAtStartDays') ?? Infinity : Infinity,
    },
    evidence,
  };
}
