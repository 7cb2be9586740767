// In-process feature store: a ring of time buckets per (feature, entity) with a running total, so
// an in-order event costs O(1); distinct members keep their last-seen time. Same window semantics
// as the Redis store: the window at T covers buckets floor(T/g)-n+1 … floor(T/g).
import type { ApplyOptions, FeatureOp, FeatureStore } from './store.ts';

class Ring {
  readonly ids: Float64Array;
  readonly vals: Float64Array;
  head = -Infinity;
  total = 0;
  constructor(readonly n: number) {
    this.ids = new Float64Array(n).fill(-1);
    this.vals = new Float64Array(n);
  }

  /** Moves the newest bucket to b, dropping buckets that fall out of the window. */
  private advance(b: number): void {
    if (b <= this.head) return;
    const n = this.n;
    if (b - this.head >= n) {
      this.ids.fill(-1);
      this.vals.fill(0);
      this.total = 0;
    } else {
      for (let x = this.head + 1; x <= b; x++) {
        const s = x % n;
        this.total -= this.vals[s]!;
        this.vals[s] = 0;
        this.ids[s] = -1;
      }
    }
    this.head = b;
  }

  read(b: number): number {
    if (b >= this.head) {
      this.advance(b);
      return this.total;
    }
    // A late event: sum the buckets of its own window that are still held.
    let sum = 0;
    for (let s = 0; s < this.n; s++) {
      const id = this.ids[s]!;
      if (id <= b && id > b - this.n) sum += this.vals[s]!;
    }
    return sum;
  }

  add(b: number, v: number): void {
    this.advance(b);
    if (b <= this.head - this.n) return; // older than anything the ring holds
    const s = b % this.n;
    this.ids[s] = b;
    this.vals[s] = this.vals[s]! + v;
    this.total += v;
  }
}

class Members {
  readonly last = new Map<string, number>();
  count(startMs: number, endMs: number): number {
    let c = 0;
    for (const t of this.last.values()) if (t >= startMs && t <= endMs + 0) c++;
    return c;
  }
  prune(startMs: number): void {
    for (const [m, t] of this.last) if (t < startMs) this.last.delete(m);
  }
}

export interface MemoryFeatureStoreOptions {
  /** How many event ids are remembered for deduplication (oldest forgotten first). */
  dedupCapacity?: number;
}

export class MemoryFeatureStore implements FeatureStore {
  readonly backend = 'memory' as const;
  private readonly rings = new Map<string, Map<string, Ring>>();
  private readonly members = new Map<string, Map<string, Members>>();
  private readonly seen = new Set<string>();
  private readonly dedupCapacity: number;

  constructor(opts: MemoryFeatureStoreOptions = {}) {
    this.dedupCapacity = opts.dedupCapacity ?? 1_000_000;
  }

  apply(ops: readonly FeatureOp[], atMs: number, opts: ApplyOptions): Promise<Float64Array> {
    return Promise.resolve(this.applySync(ops, atMs, opts));
  }

  /** The synchronous core, for in-process callers that want no promise per event. */
  applySync(ops: readonly FeatureOp[], atMs: number, opts: ApplyOptions): Float64Array {
    let record = opts.record;
    // virtual: count the event without writing it (what-if); a duplicate is neither written nor added
    const virtual = !record;
    if (record && opts.dedupId !== undefined) {
      if (this.seen.has(opts.dedupId)) record = false;
      else this.remember(opts.dedupId);
    }
    const out = new Float64Array(ops.length);
    for (let i = 0; i < ops.length; i++) out[i] = this.one(ops[i]!, atMs, record, virtual);
    return out;
  }

  private one(op: FeatureOp, atMs: number, record: boolean, virtual: boolean): number {
    const b = Math.floor(atMs / op.bucketMs);
    if (op.kind === 'sum') {
      let byEntity = this.rings.get(op.ns);
      if (!byEntity) this.rings.set(op.ns, (byEntity = new Map()));
      let ring = byEntity.get(op.entity);
      const add = Number.isNaN(op.add) ? 0 : op.add;
      if (!ring) {
        if (!record) return virtual ? add : 0;
        byEntity.set(op.entity, (ring = new Ring(op.buckets)));
      }
      if (!record) return ring.read(b) + (virtual ? add : 0);
      if (add !== 0) ring.add(b, add);
      return ring.read(b);
    }
    let byEntity = this.members.get(op.ns);
    if (!byEntity) this.members.set(op.ns, (byEntity = new Map()));
    let set = byEntity.get(op.entity);
    const startMs = (b - op.buckets + 1) * op.bucketMs;
    if (!set) {
      if (!record || op.member === undefined) return op.member !== undefined && virtual ? 1 : 0;
      byEntity.set(op.entity, (set = new Members()));
    }
    if (op.member !== undefined) {
      const prev = set.last.get(op.member);
      if (record) {
        if (prev === undefined || prev < atMs) set.last.set(op.member, atMs);
        if (set.last.size > 64) set.prune(startMs);
      } else if (virtual && (prev === undefined || prev < startMs)) {
        return set.count(startMs, atMs) + 1;
      }
    }
    return set.count(startMs, atMs);
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > this.dedupCapacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  async close(): Promise<void> {
    this.rings.clear();
    this.members.clear();
  }
}
