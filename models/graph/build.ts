// The window as one undirected graph: accounts in the middle, linked to the person (ID hash),
// phone, devices, IP ranges and cards they used and to the merchants where they redeemed.
// Repeated edges are aggregated first and added once: mergeEdge on a million edges costs ~10 s
// here (DEPENDENCIES.md). The aggregation works on integers (one Map per node kind from the raw
// id, edges in typed arrays, an account's edges found by a short list walk), so no "prefix+id"
// string is built per row and no attribute object is touched per row. The result is a
// `WindowGraph` (window-graph.ts): the same nodes, edges, attributes and iteration order a
// graphology graph filled from these arrays would have (`toGraphology()`), without filling one.
import type { UndirectedGraph } from 'graphology';
import { WindowGraph, type EdgeCallback } from './window-graph.ts';
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

/**
 * What the models read of a graph: graphology's read methods they use, so a `WindowGraph` (what
 * buildGraph returns) and a graphology graph of the same window (`toGraphology()`) are read by
 * the same code, in the same order.
 */
export interface ModelGraph {
  readonly order: number;
  readonly size: number;
  nodes(): string[];
  forEachNode(cb: (key: string, attrs: NodeAttrs) => void): void;
  hasNode(key: string): boolean;
  getNodeAttributes(key: string): NodeAttrs;
  getNodeAttribute<K extends keyof NodeAttrs>(key: string, name: K): NodeAttrs[K];
  neighbors(key: string): string[];
  forEachNeighbor(key: string, cb: (neighbor: string, attrs: NodeAttrs) => void): void;
  forEachEdge(cb: (edge: unknown, attrs: EdgeAttrs, source: string, target: string) => void): void;
  forEachEdge(node: string, cb: (edge: unknown, attrs: EdgeAttrs, source: string, target: string) => void): void;
  hasEdge(a: string, b: string): boolean;
  getEdgeAttributes(a: string, b: string): EdgeAttrs;
}

export type GraphologyModelGraph = UndirectedGraph<NodeAttrs, EdgeAttrs>;
export type { EdgeCallback };

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

/** Integer codes of node and edge kinds, for the typed arrays of a `GraphIndex`. */
export const NODE_KINDS: readonly NodeKind[] = ['account', 'person', 'phone', 'device', 'iprange', 'card', 'merchant'];
export const EDGE_KINDS: readonly EdgeKind[] = ['identity', 'phone', 'device', 'iprange', 'card', 'redeemed'];
const K_ACCOUNT = 0, K_PERSON = 1, K_PHONE = 2, K_DEVICE = 3, K_IPRANGE = 4, K_CARD = 5, K_MERCHANT = 6;
/** The edge kind of an account's edge to a node of each kind (the account kind has none). */
const EDGE_KIND_OF_TARGET = [-1, 0, 1, 2, 3, 4, 5];
const EDGE_KIND_NAME: EdgeKind[] = [...EDGE_KINDS];

/**
 * The graph as integers, in graphology's own order: node i is the i-th node of `forEachNode`, edge
 * j the j-th edge of `forEachEdge` (source = the account), in the window graph and in its
 * graphology copy alike. Graph-wide passes (component count,
 * Louvain's index) read these arrays instead of walking a million edge objects and string keys.
 */
export interface GraphIndex {
  keys: string[];
  nodeKind: Uint8Array;
  edgeSource: Int32Array;
  edgeTarget: Int32Array;
  edgeKind: Uint8Array;
  edgeWeight: Float64Array;
  /** Connected components, isolated nodes included (what graphology-components counts). */
  componentCount: number;
}

/** The integer index of a graph made by `buildGraph`; undefined for a graphology graph. */
export function graphIndex(graph: ModelGraph): GraphIndex | undefined {
  return graph instanceof WindowGraph ? graph.index : undefined;
}

/** A growable typed array: the edge count is known only after the rows are read. */
function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** Past this many edges an account's targets are looked up in a Map instead of walking its list. */
const LIST_LIMIT = 24;

export function buildGraph(window: ModelWindow, options: Partial<BuildOptions> = {}): WindowGraph {
  const opts = { ...DEFAULT_BUILD_OPTIONS, ...options };
  const dropAt = new Map(window.batches.map((b) => [b.batchId, b.dropAtMs]));
  const threshold = new Map(window.couponTypes.map((c) => [c.couponTypeId, c.thresholdFen]));
  const refundedOrders = new Set(window.refunds.map((r) => r.orderId));

  // Nodes, numbered in the order graphology will hold them (first sight).
  const keys: string[] = [];
  const attrs: NodeAttrs[] = [];
  let kinds = new Uint8Array(1024);
  const byKind: Map<string, number>[] = NODE_KINDS.map(() => new Map());
  const node = (k: number, id: string): number => {
    const ids = byKind[k]!;
    let n = ids.get(id);
    if (n === undefined) {
      n = keys.length;
      ids.set(id, n);
      keys.push(PREFIX[NODE_KINDS[k]!] + id);
      attrs.push({ kind: NODE_KINDS[k]!, id });
      kinds = grow(kinds, n + 1);
      kinds[n] = k;
    }
    return n;
  };

  // Accounts, numbered by first sight; their figures in typed arrays until the end.
  let accNode = new Int32Array(1024), accClaims = new Int32Array(1024), accAtDrop = new Int32Array(1024), accAutomation = new Int32Array(1024);
  let accFirstClaim = new Float64Array(1024), accCreated = new Float64Array(1024), accRedemptions = new Int32Array(1024), accRedeemedFen = new Float64Array(1024);
  let accHugging = new Int32Array(1024), accRefunded = new Int32Array(1024), accHead = new Int32Array(1024), accDegree = new Int32Array(1024);
  const accountOf = new Map<string, number>();
  const bigAccounts = new Map<number, Map<number, number>>();
  const account = (userId: string): number => {
    let a = accountOf.get(userId);
    if (a !== undefined) return a;
    a = accountOf.size;
    accountOf.set(userId, a);
    if (a >= accNode.length) {
      const n = a + 1;
      accNode = grow(accNode, n); accClaims = grow(accClaims, n); accAtDrop = grow(accAtDrop, n); accAutomation = grow(accAutomation, n);
      accRedemptions = grow(accRedemptions, n); accHugging = grow(accHugging, n); accRefunded = grow(accRefunded, n);
      accHead = grow(accHead, n); accDegree = grow(accDegree, n);
      accFirstClaim = grow(accFirstClaim, n); accCreated = grow(accCreated, n); accRedeemedFen = grow(accRedeemedFen, n);
    }
    accNode[a] = node(K_ACCOUNT, userId);
    accFirstClaim[a] = Infinity;
    accCreated[a] = NaN;
    accHead[a] = -1;
    return a;
  };

  // Edges in creation order; an account's edges chained through edgeNext for the duplicate check.
  let edgeCount = 0;
  let eAcc = new Int32Array(4096), eTarget = new Int32Array(4096), eNext = new Int32Array(4096);
  let eClaims = new Int32Array(4096), eRedemptions = new Int32Array(4096), eHugging = new Int32Array(4096), eRefunded = new Int32Array(4096);
  let eAmount = new Float64Array(4096);
  const edge = (a: number, target: number): number => {
    const big = accDegree[a]! > LIST_LIMIT ? bigAccounts.get(a) : undefined;
    if (big) {
      const e = big.get(target);
      if (e !== undefined) return e;
    } else {
      for (let e = accHead[a]!; e >= 0; e = eNext[e]!) if (eTarget[e] === target) return e;
    }
    const e = edgeCount++;
    if (e >= eAcc.length) {
      const n = e + 1;
      eAcc = grow(eAcc, n); eTarget = grow(eTarget, n); eNext = grow(eNext, n); eClaims = grow(eClaims, n);
      eRedemptions = grow(eRedemptions, n); eHugging = grow(eHugging, n); eRefunded = grow(eRefunded, n); eAmount = grow(eAmount, n);
    }
    eAcc[e] = a;
    eTarget[e] = target;
    eNext[e] = accHead[a]!;
    accHead[a] = e;
    const degree = ++accDegree[a]!;
    if (big) big.set(target, e);
    else if (degree === LIST_LIMIT + 1) {
      const m = new Map<number, number>();
      for (let x = e; x >= 0; x = eNext[x]!) m.set(eTarget[x]!, x);
      bigAccounts.set(a, m);
    }
    return e;
  };
  // An IP's range node, remembered per raw address so ipRange runs once per address.
  const rangeOfIp = new Map<string, number>();
  const ipNode = (ip: string): number => {
    let n = rangeOfIp.get(ip);
    if (n === undefined) rangeOfIp.set(ip, (n = node(K_IPRANGE, ipRange(ip))));
    return n;
  };
  // The edge an account last reached through an id of a kind (person, phone, device, card; raw IP
  // for ranges): people claim and pay again and again with the same ID, phone, device and card,
  // and comparing with the last one is much cheaper than a lookup in a map of ~100k fresh strings
  // (two thirds of the build's time went to those lookups on the bench window). A hit means the
  // node and edge exist already, so skipping node() and edge() changes no numbering.
  const lastId: string[][] = NODE_KINDS.map(() => []);
  let lastEdge: Int32Array[] = NODE_KINDS.map(() => new Int32Array(1024));
  const via = (a: number, k: number, id: string): number => {
    const ids = lastId[k]!;
    if (ids[a] === id) return lastEdge[k]![a]!;
    const e = edge(a, k === K_IPRANGE ? ipNode(id) : node(k, id));
    while (ids.length < a) ids.push('');
    ids[a] = id;
    if (a >= lastEdge[k]!.length) lastEdge = lastEdge.map((x) => grow(x, a + 1));
    lastEdge[k]![a] = e;
    return e;
  };
  const automation = new Map<string, boolean>();
  const isAutomation = (ua: string): boolean => {
    let v = automation.get(ua);
    if (v === undefined) automation.set(ua, (v = opts.automationUserAgent.test(ua)));
    return v;
  };

  const startMs = window.campaigns.length ? Math.min(...window.campaigns.map((c) => c.startsAtMs)) : undefined;
  for (const m of window.merchants) {
    const ageAtStartDays = startMs !== undefined && m.registeredAtMs !== undefined ? (startMs - m.registeredAtMs) / 86_400_000 : undefined;
    attrs[node(K_MERCHANT, m.merchantId)] = { kind: 'merchant', id: m.merchantId, ownerIdHash: m.ownerIdHash, ageAtStartDays };
  }

  for (const c of window.claims) {
    const a = account(c.userId);
    accClaims[a]!++;
    if (c.atMs < accFirstClaim[a]!) accFirstClaim[a] = c.atMs;
    const drop = dropAt.get(c.batchId);
    if (drop !== undefined && c.atMs >= drop && c.atMs - drop <= opts.dropBurstMs) accAtDrop[a]!++;
    if (c.userAgent && isAutomation(c.userAgent)) accAutomation[a]!++;
    if (c.accountCreatedAtMs !== undefined) accCreated[a] = c.accountCreatedAtMs;
    // via() first, then the array (it may grow the arrays).
    let e: number;
    if (c.idHash) (e = via(a, K_PERSON, c.idHash)), eClaims[e]!++;
    if (c.phoneHash) (e = via(a, K_PHONE, c.phoneHash)), eClaims[e]!++;
    if (c.deviceId) (e = via(a, K_DEVICE, c.deviceId)), eClaims[e]!++;
    if (c.ip) (e = via(a, K_IPRANGE, c.ip)), eClaims[e]!++;
  }

  for (const r of window.redemptions) {
    const a = account(r.userId);
    accRedemptions[a]!++;
    accRedeemedFen[a]! += r.discountFen;
    const hugging = isHugging(r.orderFen, threshold.get(r.couponTypeId), opts.huggingFraction);
    const refunded = refundedOrders.has(r.orderId);
    if (hugging) accHugging[a]!++;
    if (refunded) accRefunded[a]!++;
    const e = edge(a, node(K_MERCHANT, r.merchantId));
    eRedemptions[e]!++;
    eAmount[e]! += r.orderFen;
    if (hugging) eHugging[e]!++;
    if (refunded) eRefunded[e]!++;
    if (r.cardHash) {
      const c = via(a, K_CARD, r.cardHash);
      eRedemptions[c]!++;
      eAmount[c]! += r.orderFen;
    }
    let v: number;
    if (r.deviceId) (v = via(a, K_DEVICE, r.deviceId)), eRedemptions[v]!++;
    if (r.ip) (v = via(a, K_IPRANGE, r.ip)), eRedemptions[v]!++;
  }

  for (let a = 0; a < accountOf.size; a++) {
    const stats: AccountStats = {
      claims: accClaims[a]!, claimsAtDrop: accAtDrop[a]!, automationClaims: accAutomation[a]!, firstClaimMs: accFirstClaim[a]!,
      redemptions: accRedemptions[a]!, redeemedFen: accRedeemedFen[a]!, huggingRedemptions: accHugging[a]!, refundedRedemptions: accRefunded[a]!,
    };
    if (!Number.isNaN(accCreated[a]!)) stats.accountCreatedAtMs = accCreated[a]!;
    attrs[accNode[a]!]!.account = stats;
  }

  // Graphology's edge order is the accounts' first-sight order, each account's edges in the order
  // they appeared: a stable counting sort of the creation order by account.
  const accounts = accountOf.size;
  const start = new Int32Array(accounts + 1);
  for (let e = 0; e < edgeCount; e++) start[eAcc[e]! + 1]!++;
  for (let a = 0; a < accounts; a++) start[a + 1]! += start[a]!;
  const order = new Int32Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) order[start[eAcc[e]!]!++] = e;

  const index: GraphIndex = {
    keys,
    nodeKind: kinds.slice(0, keys.length),
    edgeSource: new Int32Array(edgeCount),
    edgeTarget: new Int32Array(edgeCount),
    edgeKind: new Uint8Array(edgeCount),
    edgeWeight: new Float64Array(edgeCount),
    componentCount: 0,
  };
  const figures = {
    claims: new Int32Array(edgeCount),
    redemptions: new Int32Array(edgeCount),
    amountFen: new Float64Array(edgeCount),
    hugging: new Int32Array(edgeCount),
    refunded: new Int32Array(edgeCount),
  };
  const parent = new Int32Array(keys.length);
  for (let n = 0; n < parent.length; n++) parent[n] = n;
  const find = (n: number): number => {
    while (parent[n] !== n) n = parent[n] = parent[parent[n]!]!;
    return n;
  };
  for (let j = 0; j < edgeCount; j++) {
    const e = order[j]!;
    const source = accNode[eAcc[e]!]!, target = eTarget[e]!;
    index.edgeSource[j] = source;
    index.edgeTarget[j] = target;
    index.edgeKind[j] = EDGE_KIND_OF_TARGET[kinds[target]!]!;
    index.edgeWeight[j] = eClaims[e]! + eRedemptions[e]!;
    figures.claims[j] = eClaims[e]!;
    figures.redemptions[j] = eRedemptions[e]!;
    figures.amountFen[j] = eAmount[e]!;
    figures.hugging[j] = eHugging[e]!;
    figures.refunded[j] = eRefunded[e]!;
    const x = find(source), y = find(target);
    if (x !== y) parent[x] = y;
  }
  for (let n = 0; n < parent.length; n++) if (find(n) === n) index.componentCount++;
  return new WindowGraph(index, attrs, figures, EDGE_KIND_NAME);
}
