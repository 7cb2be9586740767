// Groupings over the window graph. Identity clusters join accounts through the identifiers a
// person controls (ID hash, phone, device, card): union-find over those edges only, because IP
// ranges (carrier NAT) and merchants are hubs that would merge the whole city into one component.
// Louvain, seeded, splits the full graph into communities where a merchant and its regulars meet.
import louvainModule from 'graphology-communities-louvain';
import { connectedComponents } from 'graphology-components';
import { Rng } from '../../core/rng.ts';
import type { EdgeKind, ModelGraph } from './build.ts';

// The package is CommonJS with an ESM-style `export default` in its types: under NodeNext the
// default import is typed as the module namespace, at run time it is the function itself.
const louvain = louvainModule as unknown as (typeof louvainModule)['default'];

export const IDENTITY_EDGE_KINDS: readonly EdgeKind[] = ['identity', 'phone', 'device', 'card'];

/** Groups of node keys connected through edges of the given kinds; singletons are left out. */
export function linkedGroups(graph: ModelGraph, kinds: readonly EdgeKind[] = IDENTITY_EDGE_KINDS): string[][] {
  const index = new Map<string, number>();
  const keys: string[] = [];
  graph.forEachNode((k) => {
    index.set(k, keys.length);
    keys.push(k);
  });
  const parent = new Int32Array(keys.length);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const allowed = new Set(kinds);
  graph.forEachEdge((_e, attrs, s, t) => {
    if (!allowed.has(attrs.kind)) return;
    const a = find(index.get(s)!), b = find(index.get(t)!);
    if (a !== b) parent[a] = b;
  });
  const groups = new Map<number, string[]>();
  for (let i = 0; i < keys.length; i++) {
    const r = find(i);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(keys[i]!);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

export function components(graph: ModelGraph): string[][] {
  return connectedComponents(graph);
}

export interface CommunityOptions {
  seed: number | string;
  resolution: number;
}

/** Louvain communities keyed by community number; the same seed gives the same partition. */
export function louvainCommunities(graph: ModelGraph, options: Partial<CommunityOptions> = {}): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (graph.size === 0) return out;
  const rng = new Rng(options.seed ?? 1);
  const mapping = louvain(graph, { getEdgeWeight: 'weight', resolution: options.resolution ?? 1, rng: () => rng.next() });
  for (const [node, c] of Object.entries(mapping)) {
    let g = out.get(c);
    if (!g) out.set(c, (g = []));
    g.push(node);
  }
  return out;
}
