import { describe, expect, it } from 'vitest';
import { addBotFarm, addCashOutRing, addFamily, addHonestUsers, baseWindow } from '../testing/window-fixtures.ts';
import { buildGraph, graphIndex } from './build.ts';
import { componentCount, components, linkedGroups, louvainCommunities } from './communities.ts';

function window() {
  const w = baseWindow();
  addHonestUsers(w, 400);
  addBotFarm(w, 30, 2);
  addFamily(w, 4);
  addCashOutRing(w, 8, 'mch_5');
  return w;
}

describe('groupings read from the build index', () => {
  // toGraphology() has the same nodes and edges in the same order but no index: the graphology path.
  it('give the same identity groups, component count and Louvain partition as the graphology walk', () => {
    const g = buildGraph(window());
    const plain = g.toGraphology();
    expect(graphIndex(g)).toBeDefined();
    expect(graphIndex(plain)).toBeUndefined();
    expect(linkedGroups(g)).toEqual(linkedGroups(plain));
    expect(linkedGroups(g, ['iprange'])).toEqual(linkedGroups(plain, ['iprange']));
    expect(componentCount(g)).toBe(components(plain).length);
    for (const seed of [1, 7, 'x']) expect([...louvainCommunities(g, { seed })]).toEqual([...louvainCommunities(plain, { seed })]);
    expect(louvainCommunities(g, { seed: 1 }).size).toBeGreaterThan(1);
    // Cut to communities above the smallest account count: the same communities in the same order, on both paths.
    const isAccount = (k: string) => g.getNodeAttribute(k, 'kind') === 'account';
    const all = [...louvainCommunities(g, { seed: 1 })];
    const counts = all.map(([, m]) => m.filter(isAccount).length);
    const accounts = { min: Math.min(...counts) + 1, max: Math.max(...counts) };
    const cut = all.filter((_c, i) => counts[i]! >= accounts.min && counts[i]! <= accounts.max);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(all.length);
    expect([...louvainCommunities(g, { seed: 1, accounts })]).toEqual(cut);
    expect([...louvainCommunities(plain, { seed: 1, accounts })]).toEqual(cut);
  });
});
