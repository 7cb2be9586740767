// The object-per-entity memory feature store that memory.ts replaced, kept only as the reference
// the differential test (memory.test.ts) holds the columnar store to: same answers, bit for bit,
// on random streams with late events, what-if reads, float sums and sweeps.
import type { ApplyOptions, FeatureOp, FeatureStore } from './store.ts';

/**
 * The buckets of one (feature, entity) that hold anything, oldest first, with a running total.
 * In-order events append or add to the last bucket and expire from the front: O(1) amortized,
 * and an entity seen once costs two one-element arrays, not a full ring.
 */
class Buckets {
  /** Bucket ids and values from `head` on; the dead prefix is compacted now and then. */
  ids: number[] = [];
  vals: number[] = [];
  head = 0;
  total = 0;
  constructor(readonly n: number) {}

  private expire(b: number): void {
    const ids = this.ids;
    let k = this.head;
    while (k < ids.length && ids[k]! <= b - this.n) this.total -= this.vals[k++]!;
    if (k === this.head) return;
    this.head = k;
    if (k === ids.length) {
      this.ids = [];
      this.vals = [];
      this.head = 0;
      this.total = 0; // no float residue on an empty window
    } else if (k > 16) {
      this.ids = ids.slice(k);
      this.vals = this.vals.slice(k);
      this.head = 0;
    }
  }

  /** Newest bucket held, or -Infinity. */
  newest(): number {
    return this.ids.length > this.head ? this.ids[this.ids.length - 1]! : -Infinity;
  }

  read(b: number): number {
    const last = this.ids.length - 1;
    if (last < this.head || this.ids[last]! <= b) {
      this.expire(b);
      return this.total;
    }
    // A late event: sum the buckets of its own window.
    let sum = 0;
    for (let i = this.head; i <= last; i++) {
      const id = this.ids[i]!;
      if (id <= b && id > b - this.n) sum += this.vals[i]!;
    }
    return sum;
  }

  add(b: number, v: number): void {
    const ids = this.ids, last = ids.length - 1;
    this.total += v;
    if (last >= this.head && ids[last] === b) {
      this.vals[last] = this.vals[last]! + v;
      return;
    }
    if (last < this.head || ids[last]! < b) {
      ids.push(b);
      this.vals.push(v);
      return;
    }
    let i = last;
    while (i >= this.head && ids[i]! > b) i--;
    if (i >= this.head && ids[i] === b) this.vals[i] = this.vals[i]! + v;
    else {
      ids.splice(i + 1, 0, b);
      this.vals.splice(i + 1, 0, v);
    }
  }
}

class Members {
  // Most entities (a person's phone, ID hash, device) only ever see one member: keep it in two
  // fields and allocate the map on the second, which keeps the garbage collector out of the way.
  private m0: string | undefined;
  private t0 = -Infinity;
  /** member → last seen; kept in last-seen order (re-inserted on refresh) so expiry pops the front. */
  private last: Map<string, number> | null = null;
  newest = -Infinity;

  lastSeen(member: string): number | undefined {
    if (this.last === null) return member === this.m0 ? this.t0 : undefined;
    return this.last.get(member);
  }

  touch(member: string, atMs: number): void {
    if (this.last === null) {
      if (this.m0 === undefined || this.m0 === member) {
        this.m0 = member;
        if (atMs > this.t0) this.t0 = atMs;
        if (atMs > this.newest) this.newest = atMs;
        return;
      }
      this.last = new Map([[this.m0, this.t0]]);
    }
    const last = this.last;
    const prev = last.get(member);
    if (prev !== undefined && prev >= atMs) return;
    if (prev !== undefined) last.delete(member);
    if (atMs >= this.newest) {
      last.set(member, atMs);
      this.newest = atMs;
    } else {
      // A late event: keep the map ordered by rebuilding it (rare).
      const entries = [...last, [member, atMs] as [string, number]].sort((a, b) => a[1] - b[1]);
      last.clear();
      for (const [m, t] of entries) last.set(m, t);
    }
  }

  count(startMs: number, endMs: number): number {
    const last = this.last;
    if (last === null) return this.m0 !== undefined && this.t0 >= startMs && this.t0 <= endMs ? 1 : 0;
    if (endMs >= this.newest) {
      // In order: everything seen is at or before endMs; drop the expired front, count the rest.
      for (const [m, t] of last) {
        if (t >= startMs) break;
        last.delete(m);
      }
      return last.size;
    }
    let c = 0;
    for (const t of last.values()) if (t >= startMs && t <= endMs) c++;
    return c;
  }
}

interface MemoryFeatureStoreOptions {
  /** How many event ids are remembered for deduplication (oldest forgotten first). */
  dedupCapacity?: number;
  /** Every this many calls, entities whose window has emptied are dropped (bounds memory). */
  sweepEvery?: number;
}

export class ReferenceMemoryFeatureStore implements FeatureStore {
  readonly backend = 'memory' as const;
  private readonly rings = new Map<string, Map<string, Buckets>>();
  private readonly members = new Map<string, Map<string, Members>>();
  private readonly seen = new Set<string>();
  private readonly dedupCapacity: number;
  private applies = 0;
  private readonly sweepEvery: number;
  private readonly windowOf = new Map<string, number>();

  constructor(opts: MemoryFeatureStoreOptions = {}) {
    this.dedupCapacity = opts.dedupCapacity ?? 1_000_000;
    this.sweepEvery = opts.sweepEvery ?? 200_000;
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
    if (++this.applies % this.sweepEvery === 0) this.sweep(atMs);
    return out;
  }

  private one(op: FeatureOp, atMs: number, record: boolean, virtual: boolean): number {
    const b = Math.floor(atMs / op.bucketMs);
    const entity = op.entityTail === undefined ? op.entity : `${op.entity}>${op.entityTail}`;
    if (!this.windowOf.has(op.ns)) this.windowOf.set(op.ns, op.bucketMs * op.buckets);
    if (op.kind === 'sum') {
      let byEntity = this.rings.get(op.ns);
      if (!byEntity) this.rings.set(op.ns, (byEntity = new Map()));
      let ring = byEntity.get(entity);
      const add = Number.isNaN(op.add) ? 0 : op.add;
      if (!ring) {
        if (!record) return virtual ? add : 0;
        byEntity.set(entity, (ring = new Buckets(op.buckets)));
      }
      if (!record) return ring.read(b) + (virtual ? add : 0);
      if (add !== 0) ring.add(b, add);
      return ring.read(b);
    }
    let byEntity = this.members.get(op.ns);
    if (!byEntity) this.members.set(op.ns, (byEntity = new Map()));
    let set = byEntity.get(entity);
    const startMs = (b - op.buckets + 1) * op.bucketMs;
    if (!set) {
      if (!record || op.member === undefined) return op.member !== undefined && virtual ? 1 : 0;
      byEntity.set(entity, (set = new Members()));
    }
    if (op.member !== undefined) {
      const prev = set.lastSeen(op.member);
      if (record) {
        set.touch(op.member, atMs);
      } else if (virtual && (prev === undefined || prev < startMs)) {
        return set.count(startMs, atMs) + 1;
      }
    }
    return set.count(startMs, atMs);
  }

  /** Drops entities with nothing left in their window at `atMs` (stream time, not the wall clock). */
  private sweep(atMs: number): void {
    for (const [ns, byEntity] of this.rings) {
      const w = this.windowOf.get(ns);
      if (w === undefined) continue;
      for (const [k, r] of byEntity) if ((r.newest() + 1) * (w / r.n) + w <= atMs) byEntity.delete(k);
    }
    for (const [ns, byEntity] of this.members) {
      const w = this.windowOf.get(ns);
      if (w === undefined) continue;
      for (const [k, m] of byEntity) if (m.newest + w < atMs) byEntity.delete(k);
    }
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
