// The window graph as arrays: nodes by position, edges in typed arrays, each node's edges in a
// compressed adjacency list. It answers the part of graphology's read API that ring detection and
// figures use (same method names, same iteration orders: nodes in insertion order, a node's edges
// in the order they were added), so that code reads either this or a graphology graph. Why not
// graphology itself for the whole window: filling an UndirectedGraph with a million edges took
// ~20 s here (an object per node, a keyed adjacency object per node, an edge record per edge),
// more than the whole end-to-end budget, and only a few hundred candidate groups are ever read
// from it. `toGraphology()` gives the same graph as graphology when one is wanted (tests hold
// the two side by side); Louvain (graphology-communities-louvain) reads the arrays through a view.
import { UndirectedGraph } from 'graphology';
import type { EdgeAttrs, EdgeKind, GraphIndex, NodeAttrs } from './build.ts';

export type EdgeCallback = (edge: number, attrs: EdgeAttrs, source: string, target: string) => void;

/** Per-edge figures beside the index (hugging and refunded are read only on redemption edges). */
export interface EdgeFigures {
  claims: Int32Array;
  redemptions: Int32Array;
  amountFen: Float64Array;
  hugging: Int32Array;
  refunded: Int32Array;
}

const REDEEMED = 5;

export class WindowGraph {
  readonly type = 'undirected' as const;
  readonly multi = false;
  readonly order: number;
  readonly size: number;
  readonly index: GraphIndex;
  private readonly attrs: NodeAttrs[];
  private readonly edgeKinds: readonly EdgeKind[];
  private readonly figures: EdgeFigures;
  private readonly position = new Map<string, number>();
  /** adjacency of node n: adjEdge[adjStart[n] .. adjStart[n+1]), edge numbers ascending. */
  private readonly adjStart: Int32Array;
  private readonly adjEdge: Int32Array;

  constructor(index: GraphIndex, attrs: NodeAttrs[], figures: EdgeFigures, edgeKinds: readonly EdgeKind[]) {
    this.index = index;
    this.attrs = attrs;
    this.figures = figures;
    this.edgeKinds = edgeKinds;
    this.order = index.keys.length;
    this.size = index.edgeSource.length;
    for (let n = 0; n < this.order; n++) this.position.set(index.keys[n]!, n);
    const start = new Int32Array(this.order + 1);
    const { edgeSource, edgeTarget } = index;
    for (let j = 0; j < this.size; j++) {
      start[edgeSource[j]! + 1]!++;
      start[edgeTarget[j]! + 1]!++;
    }
    for (let n = 0; n < this.order; n++) start[n + 1]! += start[n]!;
    const fill = start.slice(0, this.order);
    const adj = new Int32Array(2 * this.size);
    for (let j = 0; j < this.size; j++) {
      adj[fill[edgeSource[j]!]!++] = j;
      adj[fill[edgeTarget[j]!]!++] = j;
    }
    this.adjStart = start;
    this.adjEdge = adj;
  }

  private at(key: string): number {
    const n = this.position.get(key);
    if (n === undefined) throw new Error(`models/graph: no node "${key}" in the window graph`);
    return n;
  }

  /** The edge attributes as graphology holds them, made on demand from the arrays. */
  edgeAttributes(j: number): EdgeAttrs {
    const f = this.figures;
    const kind = this.index.edgeKind[j]!;
    const claims = f.claims[j]!, redemptions = f.redemptions[j]!;
    const a: EdgeAttrs = { kind: this.edgeKinds[kind]!, claims, redemptions, amountFen: f.amountFen[j]!, weight: claims + redemptions };
    if (kind === REDEEMED) {
      a.hugging = f.hugging[j]!;
      a.refunded = f.refunded[j]!;
    }
    return a;
  }

  /** The edge between two nodes, found from the end with fewer edges; -1 when there is none. */
  private edgeBetween(a: number, b: number): number {
    const s = this.adjStart, adj = this.adjEdge, src = this.index.edgeSource, tgt = this.index.edgeTarget;
    const [from, to] = s[a + 1]! - s[a]! <= s[b + 1]! - s[b]! ? [a, b] : [b, a];
    for (let i = s[from]!; i < s[from + 1]!; i++) {
      const j = adj[i]!;
      if ((src[j] === from ? tgt[j] : src[j]) === to) return j;
    }
    return -1;
  }

  nodes(): string[] {
    return [...this.index.keys];
  }

  forEachNode(cb: (key: string, attrs: NodeAttrs) => void): void {
    const keys = this.index.keys;
    for (let n = 0; n < this.order; n++) cb(keys[n]!, this.attrs[n]!);
  }

  hasNode(key: string): boolean {
    return this.position.has(key);
  }

  getNodeAttributes(key: string): NodeAttrs {
    return this.attrs[this.at(key)]!;
  }

  getNodeAttribute<K extends keyof NodeAttrs>(key: string, name: K): NodeAttrs[K] {
    return this.attrs[this.at(key)]![name];
  }

  neighbors(key: string): string[] {
    const out: string[] = [];
    this.forEachNeighbor(key, (k) => void out.push(k));
    return out;
  }

  forEachNeighbor(key: string, cb: (neighbor: string, attrs: NodeAttrs) => void): void {
    const n = this.at(key);
    const { keys, edgeSource, edgeTarget } = this.index;
    for (let i = this.adjStart[n]!; i < this.adjStart[n + 1]!; i++) {
      const j = this.adjEdge[i]!;
      const other = edgeSource[j] === n ? edgeTarget[j]! : edgeSource[j]!;
      cb(keys[other]!, this.attrs[other]!);
    }
  }

  forEachEdge(cb: EdgeCallback): void;
  forEachEdge(node: string, cb: EdgeCallback): void;
  forEachEdge(nodeOrCb: string | EdgeCallback, maybeCb?: EdgeCallback): void {
    const { keys, edgeSource, edgeTarget } = this.index;
    if (typeof nodeOrCb === 'function') {
      for (let j = 0; j < this.size; j++) nodeOrCb(j, this.edgeAttributes(j), keys[edgeSource[j]!]!, keys[edgeTarget[j]!]!);
      return;
    }
    const n = this.at(nodeOrCb);
    for (let i = this.adjStart[n]!; i < this.adjStart[n + 1]!; i++) {
      const j = this.adjEdge[i]!;
      maybeCb!(j, this.edgeAttributes(j), keys[edgeSource[j]!]!, keys[edgeTarget[j]!]!);
    }
  }

  hasEdge(a: string, b: string): boolean {
    const x = this.position.get(a), y = this.position.get(b);
    return x !== undefined && y !== undefined && this.edgeBetween(x, y) >= 0;
  }

  getEdgeAttributes(a: string, b: string): EdgeAttrs {
    const j = this.edgeBetween(this.at(a), this.at(b));
    if (j < 0) throw new Error(`models/graph: no edge between "${a}" and "${b}" in the window graph`);
    return this.edgeAttributes(j);
  }

  /** The same graph as a graphology UndirectedGraph: same nodes, edges, attributes and order. */
  toGraphology(): UndirectedGraph<NodeAttrs, EdgeAttrs> {
    const g = new UndirectedGraph<NodeAttrs, EdgeAttrs>({ multi: false, allowSelfLoops: false });
    const { keys, edgeSource, edgeTarget } = this.index;
    for (let n = 0; n < this.order; n++) g.addNode(keys[n]!, this.attrs[n]!);
    for (let j = 0; j < this.size; j++) g.addEdge(keys[edgeSource[j]!]!, keys[edgeTarget[j]!]!, this.edgeAttributes(j));
    return g;
  }
}
