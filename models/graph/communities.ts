// Groupings over the window graph. Identity clusters join accounts through the identifiers a
// person controls (ID hash, phone, device, card): union-find over those edges only, because IP
// ranges (carrier NAT) and merchants are hubs that would merge the whole city into one component.
// Louvain, seeded, splits the full graph into communities where a merchant and its regulars meet.
// All three read the integer index that buildGraph leaves beside its graph when there is one (same
// node and edge order as graphology's, so the same groups and the same partition) and walk the
// graphology graph only when there is not.
import louvainModule from 'graphology-communities-louvain';
import { connectedComponents } from 'graphology-components';
import { Rng } from '../../core/rng.ts';
import { louvainMapping, type LouvainInput } from './louvain-core.ts';
import { EDGE_KINDS, graphIndex, type EdgeKind, type GraphIndex, type GraphologyModelGraph, type ModelGraph } from './build.ts';

// The package is CommonJS with an ESM-style `export default` in its types: under NodeNext the
// default import is typed as the module namespace, at run time it is the function itself.
export { louvainMapping, type LouvainInput };
const louvain = louvainModule as unknown as (typeof louvainModule)['default'];

export const IDENTITY_EDGE_KINDS: readonly EdgeKind[] = ['identity', 'phone', 'device', 'card'];

/** Groups of node keys connected through edges of the given kinds; singletons are left out. */
export function linkedGroups(graph: ModelGraph, kinds: readonly EdgeKind[] = IDENTITY_EDGE_KINDS): string[][] {
  const index = graphIndex(graph);
  if (index) return linkedGroupsOfIndex(index, kinds);
  const position = new Map<string, number>();
  const keys: string[] = [];
  graph.forEachNode((k) => {
    position.set(k, keys.length);
    keys.push(k);
  });
  const { parent, find } = unionFind(keys.length);
  const allowed = new Set(kinds);
  graph.forEachEdge((_e, attrs, s, t) => {
    if (!allowed.has(attrs.kind)) return;
    const a = find(position.get(s)!), b = find(position.get(t)!);
    if (a !== b) parent[a] = b;
  });
  return groupsOf(keys, find);
}

function linkedGroupsOfIndex(index: GraphIndex, kinds: readonly EdgeKind[]): string[][] {
  const allowed = new Uint8Array(EDGE_KINDS.length);
  for (const k of kinds) allowed[EDGE_KINDS.indexOf(k)] = 1;
  const { parent, find } = unionFind(index.keys.length);
  for (let j = 0; j < index.edgeKind.length; j++) {
    if (!allowed[index.edgeKind[j]!]) continue;
    const a = find(index.edgeSource[j]!), b = find(index.edgeTarget[j]!);
    if (a !== b) parent[a] = b;
  }
  return groupsOf(index.keys, find);
}

function unionFind(n: number): { parent: Int32Array; find(i: number): number } {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  return { parent, find };
}

/** The groups in the order of their first node, each in node order (what callers iterate on). */
function groupsOf(keys: readonly string[], find: (i: number) => number): string[][] {
  // Sizes first, so that only groups of two or more get a list (most nodes of a window are alone).
  const root = new Int32Array(keys.length);
  const size = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) size[(root[i] = find(i))]!++;
  const groups = new Map<number, string[]>();
  for (let i = 0; i < keys.length; i++) {
    const r = root[i]!;
    if (size[r]! < 2) continue;
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(keys[i]!);
  }
  return [...groups.values()];
}

export function components(graph: GraphologyModelGraph): string[][] {
  return connectedComponents(graph);
}

/** How many connected components (isolated nodes count), without listing them when the index has it. */
export function componentCount(graph: ModelGraph): number {
  return graphIndex(graph)?.componentCount ?? connectedComponents(graph as GraphologyModelGraph).length;
}

export interface CommunityOptions {
  seed: number | string;
  resolution: number;
  /**
   * Keep only communities with at least min and at most max accounts (the others are left out of
   * the map, the kept ones stay in the same order): a window's ~50k communities are mostly a few
   * honest accounts, and listing their half a million node keys cost more than the filter.
   */
  accounts?: { min: number; max: number };
}

/** Louvain communities keyed by community number; the same seed gives the same partition. */
export function louvainCommunities(graph: ModelGraph, options: Partial<CommunityOptions> = {}): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (graph.size === 0) return out;
  const index = graphIndex(graph);
  if (index) return communitiesOfMapping(index, louvainMapping(louvainInput(index), options), options);
  const rng = new Rng(options.seed ?? 1);
  const louvainOptions = { resolution: options.resolution ?? 1, rng: () => rng.next() };
  // Without an index the graph is a graphology graph (a WindowGraph always has one).
  const mapping = louvain(graph as GraphologyModelGraph, { ...louvainOptions, getEdgeWeight: 'weight' });
  for (const [node, c] of Object.entries(mapping)) {
    let g = out.get(c);
    if (!g) out.set(c, (g = []));
    g.push(node);
  }
  if (options.accounts) {
    const { min, max } = options.accounts;
    for (const [c, members] of out) {
      const n = members.filter((k) => graph.getNodeAttribute(k, 'kind') === 'account').length;
      if (n < min || n > max) out.delete(c);
    }
  }
  return out;
}



export function louvainInput(index: GraphIndex): LouvainInput {
  return { order: index.keys.length, edgeSource: index.edgeSource, edgeTarget: index.edgeTarget, edgeWeight: index.edgeWeight };
}


/** The communities of a mapping over an index's nodes, cut to `options.accounts` as louvainCommunities does. */
export function communitiesOfMapping(index: GraphIndex, mapping: ArrayLike<number>, options: Pick<Partial<CommunityOptions>, 'accounts'> = {}): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let keep: ((c: number) => boolean) | undefined;
  if (options.accounts) {
    const { min, max } = options.accounts;
    const accounts = new Map<number, number>();
    for (let i = 0; i < index.keys.length; i++) if (index.nodeKind[i] === 0) accounts.set(mapping[i]!, (accounts.get(mapping[i]!) ?? 0) + 1);
    keep = (c) => {
      const n = accounts.get(c) ?? 0;
      return n >= min && n <= max;
    };
  }
  for (let i = 0; i < index.keys.length; i++) {
    const c = mapping[i]!;
    if (keep && !keep(c)) continue;
    let g = out.get(c);
    if (!g) out.set(c, (g = []));
    g.push(index.keys[i]!);
  }
  return out;
}
