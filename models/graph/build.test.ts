import { describe, expect, it } from 'vitest';
import { addBotFarm, addCashOutRing, addFamily, addHonestUsers, baseWindow, T0 } from '../testing/window-fixtures.ts';
import type { ModelWindow } from '../window.ts';
import { buildGraph, graphIndex, ipRange, isHugging, nodeKey, DEFAULT_BUILD_OPTIONS, type EdgeAttrs, type ModelGraph } from './build.ts';

/**
 * The graph the build must give, written the plain way: one row at a time, a "source|target" key
 * per edge, nodes and edges in first-sight order (the order graphology iterates in, which Louvain's
 * random walk and every grouping depend on).
 */
function expected(w: ModelWindow) {
  const nodes: string[] = w.merchants.map((m) => nodeKey('merchant', m.merchantId));
  const seen = new Set(nodes);
  const see = (k: string) => void (seen.has(k) || (seen.add(k), nodes.push(k)));
  const accounts: string[] = [];
  const edges = new Map<string, Map<string, EdgeAttrs>>();
  const refunded = new Set(w.refunds.map((r) => r.orderId));
  const link = (userId: string, target: string, kind: EdgeAttrs['kind'], claims: number, redemptions: number, amountFen: number) => {
    const a = nodeKey('account', userId);
    see(target);
    const out = edges.get(a)!;
    const e = out.get(target) ?? { kind, claims: 0, redemptions: 0, amountFen: 0, weight: 0 };
    out.set(target, { ...e, claims: e.claims + claims, redemptions: e.redemptions + redemptions, amountFen: e.amountFen + amountFen, weight: e.weight + claims + redemptions });
    return out;
  };
  const account = (userId: string) => {
    const a = nodeKey('account', userId);
    if (!edges.has(a)) (edges.set(a, new Map()), accounts.push(a));
    see(a);
  };
  for (const c of w.claims) {
    account(c.userId);
    if (c.idHash) link(c.userId, nodeKey('person', c.idHash), 'identity', 1, 0, 0);
    if (c.phoneHash) link(c.userId, nodeKey('phone', c.phoneHash), 'phone', 1, 0, 0);
    if (c.deviceId) link(c.userId, nodeKey('device', c.deviceId), 'device', 1, 0, 0);
    if (c.ip) link(c.userId, nodeKey('iprange', ipRange(c.ip)), 'iprange', 1, 0, 0);
  }
  for (const r of w.redemptions) {
    account(r.userId);
    const m = nodeKey('merchant', r.merchantId);
    const out = link(r.userId, m, 'redeemed', 0, 1, r.orderFen);
    const threshold = w.couponTypes.find((t) => t.couponTypeId === r.couponTypeId)?.thresholdFen;
    const e = out.get(m)!;
    e.hugging = (e.hugging ?? 0) + (isHugging(r.orderFen, threshold, DEFAULT_BUILD_OPTIONS.huggingFraction) ? 1 : 0);
    e.refunded = (e.refunded ?? 0) + (refunded.has(r.orderId) ? 1 : 0);
    if (r.cardHash) link(r.userId, nodeKey('card', r.cardHash), 'card', 0, 1, r.orderFen);
    if (r.deviceId) link(r.userId, nodeKey('device', r.deviceId), 'device', 0, 1, 0);
    if (r.ip) link(r.userId, nodeKey('iprange', ipRange(r.ip)), 'iprange', 0, 1, 0);
  }
  return { nodes, edges: accounts.flatMap((a) => [...edges.get(a)!].map(([t, attrs]) => [a, t, attrs] as const)) };
}

/** A window past the build's first array sizes (1,024 accounts, 4,096 edges) with one account on 60 IP ranges, claiming a second apart from the drop (0-3 s count as at the drop). */
function bigWindow(): ModelWindow {
  const w = baseWindow();
  addHonestUsers(w, 1_500);
  addBotFarm(w, 40, 3);
  addFamily(w, 5);
  addCashOutRing(w, 8, 'mch_2');
  addHonestUsers(w, 300, 'usr_again'); // repeated rows for the same shapes
  for (let i = 0; i < 60; i++) {
    w.claims.push({ userId: 'usr_roamer', atMs: T0 + i * 1_000, batchId: 'bat_1', couponTypeId: 'cpt_100_20', ip: `10.${i}.1.${i}`, deviceId: 'dev_roamer', userAgent: 'python-requests/2.31' });
    w.redemptions.push({ userId: 'usr_roamer', merchantId: `mch_${i % 7}`, orderId: `ord_roamer${i}`, couponTypeId: 'cpt_100_20', atMs: T0 + 86_400_000 + i, orderFen: 10_500, discountFen: 2_000, ip: `10.${(i * 3) % 60}.1.9`, cardHash: 'card_roamer' });
  }
  return w;
}

describe('buildGraph', () => {
  it('adds every node and edge once, in first-sight order, with the summed attributes', () => {
    const w = bigWindow();
    const g = buildGraph(w);
    const want = expected(w);
    expect(g.order).toBe(want.nodes.length);
    expect(g.nodes()).toEqual(want.nodes);
    const got: Array<readonly [string, string, EdgeAttrs]> = [];
    g.forEachEdge((_e, attrs, s, t) => void got.push([s, t, attrs]));
    expect(got.length).toBeGreaterThan(4_096);
    expect(got).toEqual(want.edges);
  });

  it('keeps per-account figures from the rows', () => {
    const w = bigWindow();
    const s = buildGraph(w).getNodeAttribute(nodeKey('account', 'usr_roamer'), 'account')!;
    expect(s).toEqual({ claims: 60, claimsAtDrop: 4, automationClaims: 60, firstClaimMs: T0, redemptions: 60, redeemedFen: 120_000, huggingRedemptions: 60, refundedRedemptions: 0 });
    const bot = buildGraph(w).getNodeAttribute(nodeKey('account', 'usr_b0'), 'account')!;
    expect(bot.accountCreatedAtMs).toBe(T0 - 2 * 86_400_000);
    expect(bot.automationClaims).toBe(1);
  });

  it('leaves an index in graphology order, and a graphology copy in the same order without one', () => {
    const w = bigWindow();
    const g = buildGraph(w);
    const index = graphIndex(g)!;
    expect(index.keys).toEqual(g.nodes());
    let j = 0;
    g.forEachEdge((_e, attrs, s, t) => {
      expect([index.keys[index.edgeSource[j]!], index.keys[index.edgeTarget[j]!], index.edgeWeight[j]]).toEqual([s, t, attrs.weight]);
      j++;
    });
    const plain = g.toGraphology();
    expect(graphIndex(plain)).toBeUndefined();
    expect(plain.nodes()).toEqual(g.nodes());
    const edges = (x: ModelGraph) => {
      const out: unknown[] = [];
      x.forEachEdge((_e, attrs, s, t) => void out.push([s, t, attrs]));
      return out;
    };
    expect(edges(plain)).toEqual(edges(g));
  });

  it('answers per node what graphology answers, in the same order', () => {
    const w = bigWindow();
    const g = buildGraph(w);
    const plain = g.toGraphology();
    let checked = 0;
    g.forEachNode((k, attrs) => {
      expect(attrs).toBe(plain.getNodeAttributes(k));
      expect(g.neighbors(k)).toEqual(plain.neighbors(k));
      const mine: unknown[] = [], theirs: unknown[] = [];
      g.forEachEdge(k, (_e, a, s, t) => void mine.push([s, t, a]));
      plain.forEachEdge(k, (_e, a, s, t) => void theirs.push([s, t, a]));
      expect(mine).toEqual(theirs);
      const nb: string[] = [];
      g.forEachNeighbor(k, (n, a) => (nb.push(n), expect(a).toBe(plain.getNodeAttributes(n))));
      expect(nb).toEqual(plain.neighbors(k));
      for (const n of nb.slice(0, 3)) {
        expect(g.hasEdge(k, n) && g.hasEdge(n, k)).toBe(true);
        expect(g.getEdgeAttributes(n, k)).toEqual(plain.getEdgeAttributes(n, k));
      }
      checked++;
    });
    expect(checked).toBe(plain.order);
    expect(g.hasEdge(nodeKey('account', 'usr_roamer'), nodeKey('merchant', 'mch_0'))).toBe(true);
    expect(g.hasEdge(nodeKey('account', 'usr_roamer'), nodeKey('account', 'usr_b0'))).toBe(false);
    expect(g.hasEdge('a:nobody', nodeKey('merchant', 'mch_0'))).toBe(false);
    expect(g.hasNode('a:nobody')).toBe(false);
    expect(() => g.getNodeAttribute('a:nobody', 'kind')).toThrow(/models\/graph: no node/);
  });

  it('groups IPv4 by /24 and IPv6 by /64 and keeps anything else as it is', () => {
    expect(ipRange('223.104.159.7')).toBe('223.104.159.0/24');
    expect(ipRange('1..2.3')).toBe('1..2.0/24');
    expect(ipRange('2408:8207:1:2:3:4:5:6')).toBe('2408:8207:1:2::/64');
    expect(ipRange('10.1.2')).toBe('10.1.2');
  });
});
