// Louvain over a graph given as a node count and edge arrays: what the main thread runs alone and
// the Louvain worker thread runs beside it (louvain-thread.ts imports only this, so the thread
// starts without loading the rest of the models).
import louvainModule from 'graphology-communities-louvain';
import { Rng } from '../../core/rng.ts';

// The package is CommonJS with an ESM-style `export default` in its types: under NodeNext the
// default import is typed as the module namespace, at run time it is the function itself.
const louvain = louvainModule as unknown as (typeof louvainModule)['default'];

/** What Louvain reads of an index: node count and the edge arrays (what a worker thread is sent). */
export interface LouvainInput {
  order: number;
  edgeSource: Int32Array;
  edgeTarget: Int32Array;
  edgeWeight: Float64Array;
}

/** Louvain's community per node position, seeded (the same input and seed give the same array). */
export function louvainMapping(input: LouvainInput, options: { seed?: number | string; resolution?: number } = {}): Int32Array {
  const rng = new Rng(options.seed ?? 1);
  const view = louvainView(input);
  const mapping = louvain(view as unknown as Parameters<typeof louvain>[0], { resolution: options.resolution ?? 1, rng: () => rng.next(), getEdgeWeight: (edge: string) => view.weight(edge) }) as unknown as ArrayLike<number>;
  // The library answers with an object keyed by node (here its position): copied into an array that a worker can post.
  const out = new Int32Array(input.order);
  for (let i = 0; i < input.order; i++) out[i] = mapping[i]!;
  return out;
}

/**
 * What graphology-communities-louvain reads of a graph (its index in graphology-indices/louvain.js
 * takes order, size, each node with its degree, then each edge with its weight; isGraph and
 * inferType look at multi, type and two method names), served from the build's arrays with nodes
 * as their positions. Same order as the graphology graph, so the same index, the same random
 * draws and the same partition (communities.test.ts holds the two side by side); it skips walking
 * a million edge objects and a node-key dictionary, and the result comes back keyed by position.
 */
function louvainView(index: LouvainInput) {
  const n = index.order, m = index.edgeSource.length;
  const degree = new Int32Array(n);
  for (let j = 0; j < m; j++) {
    degree[index.edgeSource[j]!]!++;
    degree[index.edgeTarget[j]!]!++;
  }
  const readOnly = () => {
    throw new Error('models/communities: the Louvain view of a graph is read-only');
  };
  return {
    type: 'undirected' as const,
    multi: false,
    order: n,
    size: m,
    selfLoopCount: 0,
    addUndirectedEdgeWithKey: readOnly,
    dropNode: readOnly,
    setNodeAttribute: readOnly,
    forEachNode(cb: (node: number) => void) {
      for (let i = 0; i < n; i++) cb(i);
    },
    undirectedDegreeWithoutSelfLoops: (node: number) => degree[node]!,
    forEachEdge(cb: (edge: number, attrs: undefined, source: number, target: number) => void) {
      for (let j = 0; j < m; j++) cb(j, undefined, index.edgeSource[j]!, index.edgeTarget[j]!);
    },
    weight: (edge: string | number) => index.edgeWeight[edge as number]!,
  };
}
