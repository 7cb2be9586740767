// The window as one undirected graph: accounts in the middle, linked to the person (ID hash),
// phone, devices, IP ranges and cards they used and to the merchants where they redeemed.
// Repeated edges are aggregated first and added once with addEdge: mergeEdge on a million edges
// costs ~10 s here (DEPENDENCIES.md), a Map pass and addEdge a fraction of that.
import { UndirectedGraph } from 'graphology';
import type { ModelWindow } from '../window.ts';

export type NodeKind = 'account' | 'person' | 'phone' | 'device' | 'iprange' | 'card' | 'merchant';
export type EdgeKind = 'identity' | 'phone' | 'device' | 'iprange' | 'card' | 'redeemed';

export interface AccountStats {
  claims: number;
  /** Claims within `dropBurstMs` after their batch dropped. */
  claimsAtDrop: number;
  automationClaims: number;
  firstClaimMs: number;
  accountCreatedAtMs?: number;
  redemptions: number;
  redeemedFen: number;
  /** Redemptions whose order sits just above the coupon's threshold. */
  huggingRedemptions: number;
  /** Redemptions refunded afterwards. */
  refundedRedemptions: number;
}

export interface NodeAttrs {
  kind: NodeKind;
  /** The entity id as the rest of the system knows it (userId, merchantId, deviceId, …). */
  id: string;
  account?: AccountStats;
  /** Merchants: the owner's ID hash, when registered (a shell shop's owner claims coupons too). */
  ownerIdHash?: string;
  /** Merchants: days between registration and the campaign start (negative: registered after). */
  ageAtStartDays?: number;
}

export interface EdgeAttrs {
  kind: EdgeKind;
  claims: number;
  redemptions: number;
  amountFen: number;
  /** claims + redemptions: the Louvain edge weight. */
  weight: number;
  /** Redemption edges: orders just over the coupon threshold, and orders refunded afterwards. */
  hugging?: number;
  refunded?: number;
}

export type ModelGraph = UndirectedGraph<NodeAttrs, EdgeAttrs>;

export interface BuildOptions {
  dropBurstMs: number;
  /** An order within this fraction above the coupon's threshold counts as hugging it. */
  huggingFraction: number;
  automationUserAgent: RegExp;
}

export const DEFAULT_BUILD_OPTIONS: BuildOptions = {
  dropBurstMs: 3_000,
  huggingFraction: 0.12,
  automationUserAgent: /headless|python|curl|wget|okhttp|go-http|java\/|bot\b|spider|selenium|puppeteer|phantomjs|scrapy|httpclient|autojs|frida/i,
};

const PREFIX: Record<NodeKind, string> = { account: 'a:', person: 'p:', phone: 'ph:', device: 'd:', iprange: 'n:', card: 'c:', merchant: 'm:' };

export function nodeKey(kind: NodeKind, id: string): string {
  return PREFIX[kind] + id;
}

/** IPv4 → its /24, IPv6 → its /64: carrier NAT and bot farms both show at this grain. */
export function ipRange(ip: string): string {
  if (ip.includes(':')) return ip.split(':').slice(0, 4).join(':') + '::/64';
  const parts = ip.split('.');
  return parts.length === 4 ? `${parts[0]}.${parts[1]}.${parts[2]}.0/24` : ip;
}

export function isHugging(orderFen: number, thresholdFen: number | undefined, fraction: number): boolean {
  if (thresholdFen === undefined || thresholdFen <= 0) return false;
  return orderFen >= thresholdFen && orderFen <= thresholdFen * (1 + fraction);
}

export function buildGraph(window: ModelWindow, options: Partial<BuildOptions> = {}): ModelGraph {
  const opts = { ...DEFAULT_BUILD_OPTIONS, ...options };
  const nodes = new Map<string, NodeAttrs>();
  // Edges are grouped by account: a Map per account keyed by the target's node key, so no long
  // "source|target" string is built and hashed per row.
  const accounts = new Map<string, { key: string; stats: AccountStats; edges: Map<string, EdgeAttrs> }>();
  const dropAt = new Map(window.batches.map((b) => [b.batchId, b.dropAtMs]));
  const threshold = new Map(window.couponTypes.map((c) => [c.couponTypeId, c.thresholdFen]));
  const refundedOrders = new Set(window.refunds.map((r) => r.orderId));

  const account = (userId: string) => {
    let a = accounts.get(userId);
    if (!a) {
      const stats: AccountStats = { claims: 0, claimsAtDrop: 0, automationClaims: 0, firstClaimMs: Infinity, redemptions: 0, redeemedFen: 0, huggingRedemptions: 0, refundedRedemptions: 0 };
      a = { key: PREFIX.account + userId, stats, edges: new Map() };
      accounts.set(userId, a);
      nodes.set(a.key, { kind: 'account', id: userId, account: stats });
    }
    return a;
  };
  const link = (a: { edges: Map<string, EdgeAttrs> }, kind: NodeKind, id: string, edgeKind: EdgeKind, claims: number, redemptions: number, amountFen: number): EdgeAttrs => {
    const target = PREFIX[kind] + id;
    let e = a.edges.get(target);
    if (e) {
      e.claims += claims;
      e.redemptions += redemptions;
      e.amountFen += amountFen;
      e.weight += claims + redemptions;
      return e;
    }
    if (!nodes.has(target)) nodes.set(target, { kind, id });
    e = { kind: edgeKind, claims, redemptions, amountFen, weight: claims + redemptions };
    a.edges.set(target, e);
    return e;
  };

  const startMs = window.campaigns.length ? Math.min(...window.campaigns.map((c) => c.startsAtMs)) : undefined;
  for (const m of window.merchants) {
    const ageAtStartDays = startMs !== undefined && m.registeredAtMs !== undefined ? (startMs - m.registeredAtMs) / 86_400_000 : undefined;
    nodes.set(PREFIX.merchant + m.merchantId, { kind: 'merchant', id: m.merchantId, ownerIdHash: m.ownerIdHash, ageAtStartDays });
  }

  for (const c of window.claims) {
    const a = account(c.userId);
    const s = a.stats;
    s.claims++;
    if (c.atMs < s.firstClaimMs) s.firstClaimMs = c.atMs;
    const drop = dropAt.get(c.batchId);
    if (drop !== undefined && c.atMs >= drop && c.atMs - drop <= opts.dropBurstMs) s.claimsAtDrop++;
    if (c.userAgent && opts.automationUserAgent.test(c.userAgent)) s.automationClaims++;
    if (c.accountCreatedAtMs !== undefined) s.accountCreatedAtMs = c.accountCreatedAtMs;
    if (c.idHash) link(a, 'person', c.idHash, 'identity', 1, 0, 0);
    if (c.phoneHash) link(a, 'phone', c.phoneHash, 'phone', 1, 0, 0);
    if (c.deviceId) link(a, 'device', c.deviceId, 'device', 1, 0, 0);
    if (c.ip) link(a, 'iprange', ipRange(c.ip), 'iprange', 1, 0, 0);
  }

  for (const r of window.redemptions) {
    const a = account(r.userId);
    const s = a.stats;
    s.redemptions++;
    s.redeemedFen += r.discountFen;
    const hugging = isHugging(r.orderFen, threshold.get(r.couponTypeId), opts.huggingFraction);
    const refunded = refundedOrders.has(r.orderId);
    if (hugging) s.huggingRedemptions++;
    if (refunded) s.refundedRedemptions++;
    const e = link(a, 'merchant', r.merchantId, 'redeemed', 0, 1, r.orderFen);
    e.hugging = (e.hugging ?? 0) + (hugging ? 1 : 0);
    e.refunded = (e.refunded ?? 0) + (refunded ? 1 : 0);
    if (r.cardHash) link(a, 'card', r.cardHash, 'card', 0, 1, r.orderFen);
    if (r.deviceId) link(a, 'device', r.deviceId, 'device', 0, 1, 0);
    if (r.ip) link(a, 'iprange', ipRange(r.ip), 'iprange', 0, 1, 0);
  }

  const graph: ModelGraph = new UndirectedGraph<NodeAttrs, EdgeAttrs>({ multi: false, allowSelfLoops: false });
  for (const [key, attrs] of nodes) graph.addNode(key, attrs);
  for (const a of accounts.values()) for (const [target, attrs] of a.edges) graph.addEdge(a.key, target, attrs);
  return graph;
}
