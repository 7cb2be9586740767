// In-process feature store, laid out by column: per feature one table that interns entity keys to
// slot numbers, and per slot a few numbers in typed arrays. Same window semantics as the Redis
// store: the window at T covers buckets floor(T/g)-n+1 … floor(T/g).
//
// Why columns: most entities are seen once or twice in a window (a new phone, ID hash, device,
// merchant×user pair every claim). An object per entity, with two bucket arrays, made every new
// entity several hundred bytes that survived into the old generation, and the collector spent more
// time than the rules. Here a new entity costs a slot in its kind's key table and one in typed
// arrays; only an entity with two or more live buckets, or with two or more distinct members,
// gets an object.
//
// The answers are the ones of the object-per-entity store (memory.reference.ts) bit for bit: a
// slot holds the same logical state (the live buckets and a running total updated in the same
// order of additions and subtractions, so float sums keep the same rounding); memory.test.ts
// checks it on random streams.
import { mayFillHole } from '../../core/linear-probing.ts';
import { grown } from '../../core/typed-arrays.ts';
import type { ApplyOptions, FeatureOp, FeatureStore } from './store.ts';

/** The buckets of one (feature, entity) once two or more are live: oldest first, with a running total. */
class Buckets {
  /** Bucket ids and values from `head` on; the dead prefix is compacted now and then. */
  ids: number[];
  vals: number[];
  head = 0;
  total: number;
  constructor(readonly n: number, ids: number[], vals: number[], total: number) {
    this.ids = ids;
    this.vals = vals;
    this.total = total;
  }

  get live(): number {
    return this.ids.length - this.head;
  }

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

const EMPTY = 0, ONE = 1, MANY = 2;

/**
 * Numbers for keys (entity keys, distinct members), shared by every feature of one entity kind:
 * the four ip24 features look an address range up once, and the six "distinct users" features
 * hold users as numbers (compared as numbers, kept in number-keyed maps) instead of strings.
 * A number is given back to the pool only at a sweep, once no feature holds it.
 */
class Interner {
  // An open-addressing table of our own instead of a Map<string, number>: slot i holds a key's
  // 32-bit hash and its number side by side (table[2i], table[2i+1]; number -1: empty), so a
  // probe reads one cache line and a stored key is read only when its whole hash matches. A Map
  // walks a chain of entries and reads every key on it (a runtime call per same-length key when
  // they are ropes, as pair keys are), and hashes a rope through a temporary copy; most lookups
  // here are of keys nobody touched lately (a new merchant×user pair nearly every redemption).
  private table = Interner.emptyTable(1024);
  private mask = 1023;
  /**
   * Key by number: number i's key at 2i (undefined: free) and its tail at 2i + 1 (a pair kind's
   * key is its head and its tail; undefined for other kinds). Side by side, a lookup that matches a
   * hash reads one place, not one per array.
   */
  private keys: (string | number | undefined)[] = [];
  private count = 0;
  private readonly free: number[] = [];
  private next = 0;
  /** Mark bits of the sweep in progress. */
  marks = new Uint8Array(0);
  // The last key looked up in the current call (`call`): an event's ops ask for one user, one
  // address range … several times, as entity and as member.
  call = -1;
  lastKey = '';
  lastTail: string | number | undefined;
  lastHash = 0;
  lastId: number | undefined;

  constructor(private readonly seed: number) {}

  private static emptyTable(slots: number): Int32Array {
    const t = new Int32Array(slots * 2);
    for (let i = 1; i < t.length; i += 2) t[i] = -1;
    return t;
  }

  /** A seeded multiply-xor hash over the key's UTF-16 units, two at a time. */
  hash(key: string): number {
    const n = key.length;
    let h = this.seed ^ n, i = 0;
    for (; i + 1 < n; i += 2) h = Math.imul(h ^ (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16)), 0x9e3779b1) ^ (h >>> 15);
    if (i < n) h = Math.imul(h ^ key.charCodeAt(i), 0x9e3779b1);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h;
  }

  /** The hash of a key in two parts (FeatureOp.entityTail): the head's, mixed with the tail's. */
  hashPair(key: string, tail: string | number): number {
    let h = this.hash(key);
    if (typeof tail === 'number') {
      // Amounts in fen: an integer, its low 32 bits and what lies above them.
      h = Math.imul(h ^ (tail | 0), 0x9e3779b1) ^ Math.imul(Math.floor(tail / 4294967296) | 0, 0x85ebca6b);
    } else h = Math.imul(h ^ this.hash(tail), 0x9e3779b1);
    h ^= h >>> 15;
    return h;
  }

  /** The number of `key` (whose hash is `h`), or undefined. */
  find(key: string, tail: string | number | undefined, h: number): number | undefined {
    const t = this.table, mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = t[2 * i + 1]!;
      if (id < 0) return undefined;
      if (t[2 * i] === h && this.keys[2 * id] === key && this.keys[2 * id + 1] === tail) return id;
    }
  }

  /** Numbers a key that `find` did not find. */
  take(key: string, tail: string | number | undefined, h: number): number {
    let id = this.free.pop();
    if (id === undefined) id = this.next++;
    // Doubled here rather than by a store past the end (half again, each time): the array is large,
    // allocated straight into the old generation, and every copy of it brings the next full
    // collection closer.
    if (2 * id >= this.keys.length) this.keys = grownList(this.keys, Math.max(2048, this.keys.length * 2));
    this.keys[2 * id] = key;
    this.keys[2 * id + 1] = tail;
    if (++this.count * 2 > this.mask + 1) this.rebuild((this.mask + 1) * 2);
    this.place(h, id);
    return id;
  }

  private place(h: number, id: number): void {
    const t = this.table, mask = this.mask;
    let i = h & mask;
    while (t[2 * i + 1]! >= 0) i = (i + 1) & mask;
    t[2 * i] = h;
    t[2 * i + 1] = id;
  }

  /** A table of `slots` slots holding the current keys. */
  private rebuild(slots: number): void {
    const old = this.table;
    this.table = Interner.emptyTable(slots);
    this.mask = slots - 1;
    for (let i = 1; i < old.length; i += 2) if (old[i]! >= 0) this.place(old[i - 1]!, old[i]!);
  }

  get size(): number {
    return this.next;
  }

  mark(id: number): void {
    this.marks[id] = 1;
  }

  beginMarks(): void {
    if (this.marks.length < this.next) this.marks = new Uint8Array(Math.max(1024, this.next * 2));
    else this.marks.fill(0, 0, this.next);
  }

  /** Frees every number no feature marked. */
  endMarks(): void {
    const marks = this.marks, keys = this.keys, t = this.table;
    let freed = 0;
    for (let i = 1; i < t.length; i += 2) {
      const id = t[i]!;
      if (id >= 0 && marks[id] === 0) {
        t[i] = -1;
        keys[2 * id] = undefined;
        keys[2 * id + 1] = undefined;
        this.free.push(id);
        freed++;
      }
    }
    if (freed === 0) return;
    this.count -= freed;
    // Emptied slots break probe runs: place the survivors again (same size; smaller when sparse).
    let slots = this.mask + 1;
    while (slots > 1024 && this.count * 8 < slots) slots /= 2;
    this.rebuild(slots);
  }
}

function grownList<T>(a: readonly T[], cap: number): (T | undefined)[] {
  const b = new Array<T | undefined>(cap).fill(undefined);
  for (let i = 0; i < a.length; i++) b[i] = a[i];
  return b;
}

/** Doubles a table's capacity in slots (at least to hold slot `s`). */
function capacityFor(slots: number, s: number): number {
  return Math.max(1024, slots * 2, s + 1);
}

// A table's numbers for one entity sit side by side in one row of a Float64Array (ROW numbers
// per slot) rather than in a typed array per field: an entity is touched at random, and a field
// per array cost a cache miss per field (six for a sum, four for a distinct) where a row costs
// about one.
const ROW = 4;
const ID0 = 1, V0 = 2, TOTAL = 3;
/** A row's meta when the table does not hold the entity (no held meta is -1: states are 0-2). */
const NOT_HELD = -1;

/**
 * Sums and counts of one feature, by entity number. A held entity is EMPTY (no live bucket,
 * total 0), ONE (one live bucket: id0, v0, total) or MANY (a Buckets object). The logical state,
 * live buckets plus running total, is what the object store kept; ONE is only a smaller way to
 * hold a one-bucket state. A row is [meta, id0, v0, total]: meta is NOT_HELD when the feature does
 * not hold the entity, else its bucket count n * 4 + its state (n as the Int32Array of n held it,
 * below 2^29: rule sets allow 240).
 */
class SumTable {
  rows = new Float64Array(0);
  /**
   * The Buckets of MANY entities, by slot. A map, not an array by slot: few entities are MANY (a
   * shop, an address range), and an array as long as the table grew, copy after copy, by a slot
   * per new entity.
   */
  readonly many = new Map<number, Buckets>();
  constructor(readonly ns: string, readonly windowMs: number, readonly entities: Interner) {}

  holds(s: number): boolean {
    const r = s * ROW;
    return r < this.rows.length && this.rows[r] !== NOT_HELD;
  }

  create(s: number, n: number): void {
    if (s * ROW >= this.rows.length) {
      const cap = capacityFor(this.rows.length / ROW, s);
      this.rows = grown(this.rows, cap * ROW, NOT_HELD);
    }
    const r = s * ROW;
    this.rows[r] = (n | 0) * 4 + EMPTY;
    this.rows[r + TOTAL] = 0;
  }

  read(s: number, b: number): number {
    const rows = this.rows, r = s * ROW, meta = rows[r]!;
    switch (meta & 3) {
      case EMPTY:
        return rows[r + TOTAL]!;
      case ONE: {
        const id = rows[r + ID0]!;
        if (id > b) return 0; // a late event: the one bucket is after its window
        if (id <= b - (meta >> 2)) {
          rows[r] = meta - ONE + EMPTY;
          rows[r + TOTAL] = 0;
        }
        return rows[r + TOTAL]!;
      }
      default: {
        const k = this.many.get(s)!;
        const v = k.read(b);
        this.settle(s, k);
        return v;
      }
    }
  }

  add(s: number, b: number, v: number): void {
    const rows = this.rows, r = s * ROW, meta = rows[r]!;
    switch (meta & 3) {
      case EMPTY:
        rows[r + TOTAL] = rows[r + TOTAL]! + v;
        rows[r] = meta - EMPTY + ONE;
        rows[r + ID0] = b;
        rows[r + V0] = v;
        return;
      case ONE: {
        const id = rows[r + ID0]!;
        if (id === b) {
          rows[r + TOTAL] = rows[r + TOTAL]! + v;
          rows[r + V0] = rows[r + V0]! + v;
          return;
        }
        const k = new Buckets(meta >> 2, [id], [rows[r + V0]!], rows[r + TOTAL]!);
        k.add(b, v);
        rows[r] = meta - ONE + MANY;
        this.many.set(s, k);
        return;
      }
      default:
        this.many.get(s)!.add(b, v);
    }
  }

  /** add then read at the same bucket, the record path; the common case allocates nothing. */
  addRead(s: number, b: number, v: number): number {
    const rows = this.rows, r = s * ROW, meta = rows[r]!;
    if ((meta & 3) === ONE) {
      const id = rows[r + ID0]!;
      if (id < b && id <= b - (meta >> 2)) {
        // The one bucket leaves as the new one arrives: the same two steps as add, then expire.
        const total = rows[r + TOTAL]! + v - rows[r + V0]!;
        rows[r + TOTAL] = total;
        rows[r + ID0] = b;
        rows[r + V0] = v;
        return total;
      }
    }
    this.add(s, b, v);
    return this.read(s, b);
  }

  /** Back to the compact forms once a Buckets object holds one bucket or none. */
  private settle(s: number, k: Buckets): void {
    const live = k.live;
    if (live > 1) return;
    const rows = this.rows, r = s * ROW, meta = rows[r]!;
    this.many.delete(s);
    rows[r + TOTAL] = k.total;
    if (live === 0) {
      rows[r] = meta - MANY + EMPTY;
      return;
    }
    rows[r] = meta - MANY + ONE;
    rows[r + ID0] = k.ids[k.head]!;
    rows[r + V0] = k.vals[k.head]!;
  }

  private newest(s: number): number {
    const rows = this.rows, r = s * ROW, state = rows[r]! & 3;
    return state === ONE ? rows[r + ID0]! : state === MANY ? this.many.get(s)!.newest() : -Infinity;
  }

  /** Lets go of entities with nothing left in their window; marks the ones still held. */
  sweep(atMs: number): void {
    const w = this.windowMs, rows = this.rows;
    for (let s = 0, r = 0; r < rows.length; s++, r += ROW) {
      const meta = rows[r]!;
      if (meta === NOT_HELD) continue;
      if ((this.newest(s) + 1) * (w / (meta >> 2)) + w <= atMs) {
        if ((meta & 3) === MANY) this.many.delete(s);
        rows[r] = NOT_HELD;
      } else this.entities.mark(s);
    }
  }
}

/**
 * Member number → last seen (ms), for Members: open addressing with linear probing in two plain
 * arrays (member numbers, -1 empty; times), deletion by moving the rest of the probe run back.
 * A Map<number, number> here went through its own hash table (a chain of entries in a separate
 * store) on every touch of a busy entity (its get, set and delete lines were about 3% of the
 * engine's CPU in the bench profile), and rehashed into a new table every so many deletions.
 * Member numbers are dense small integers from an interner: Fibonacci hashing spreads them.
 */
class LastSeen {
  private keys: number[] = [-1, -1, -1, -1, -1, -1, -1, -1];
  private times: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  private mask = 7;
  /** 32 - log2(slots): a home is the top bits of the product. */
  private shift = 29;
  size = 0;

  private home(m: number): number {
    return Math.imul(m, 0x9e3779b1) >>> this.shift;
  }

  get(m: number): number | undefined {
    const keys = this.keys, mask = this.mask;
    for (let i = this.home(m); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === m) return this.times[i]!;
      if (k < 0) return undefined;
    }
  }

  set(m: number, t: number): void {
    const keys = this.keys, mask = this.mask;
    let i = this.home(m);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === m) {
        this.times[i] = t;
        return;
      }
      if (k < 0) break;
    }
    keys[i] = m;
    this.times[i] = t;
    if (++this.size * 2 > mask + 1) this.resize((mask + 1) * 2);
  }

  delete(m: number): void {
    const keys = this.keys, times = this.times, mask = this.mask;
    let p = this.home(m);
    for (; ; p = (p + 1) & mask) {
      const k = keys[p]!;
      if (k === m) break;
      if (k < 0) return;
    }
    keys[p] = -1;
    this.size--;
    for (let q = (p + 1) & mask; keys[q]! >= 0; q = (q + 1) & mask) {
      if (!mayFillHole(p, q, this.home(keys[q]!))) continue;
      keys[p] = keys[q]!;
      times[p] = times[q]!;
      keys[q] = -1;
      p = q;
    }
  }

  /** Marks every member held in `interner` (the sweep). */
  markAll(interner: Interner): void {
    for (const k of this.keys) if (k >= 0) interner.mark(k);
  }

  private resize(slots: number): void {
    const keys = this.keys, times = this.times;
    this.keys = new Array<number>(slots).fill(-1);
    this.times = new Array<number>(slots).fill(0);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    for (let i = 0; i < keys.length; i++) {
      const m = keys[i]!;
      if (m < 0) continue;
      let j = this.home(m);
      while (this.keys[j]! >= 0) j = (j + 1) & this.mask;
      this.keys[j] = m;
      this.times[j] = times[i]!;
    }
  }
}

/**
 * The members of one entity once it has seen two or more: member → last seen (LastSeen), and the
 * same (time, member) pairs in two arrays sorted by time (from `head` on). The arrays answer a
 * count at any time with two binary searches, so a late event (one older than the entity's newest)
 * costs O(log members) to count and one memmove to place, where keeping the Map itself in time
 * order cost a rebuild and a full scan per late event: the engine slowed down with every event
 * it had seen once streams interleaved (rules/README.md). In-order events append and expire from
 * the front as before.
 */
class Members {
  readonly last = new LastSeen();
  times: number[] = [];
  mems: number[] = [];
  head = 0;

  constructor(m0: number, t0: number) {
    this.last.set(m0, t0);
    this.times.push(t0);
    this.mems.push(m0);
  }

  /** First index from head whose time is >= t (`strict`: > t). */
  private bound(t: number, strict: boolean): number {
    const times = this.times;
    let lo = this.head, hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = times[mid]!;
      if (x < t || (strict && x === t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  touch(member: number, atMs: number): void {
    const last = this.last, times = this.times, mems = this.mems;
    const prev = last.get(member);
    if (prev !== undefined) {
      if (prev >= atMs) return;
      let i = this.bound(prev, false);
      while (mems[i] !== member) i++;
      if (i === this.head) this.head++;
      else {
        times.splice(i, 1);
        mems.splice(i, 1);
      }
    }
    last.set(member, atMs);
    const n = times.length;
    if (n === this.head || times[n - 1]! <= atMs) {
      times.push(atMs);
      mems.push(member);
    } else {
      const j = this.bound(atMs, true);
      times.splice(j, 0, atMs);
      mems.splice(j, 0, member);
    }
    this.compact();
  }

  /** Members last seen within [startMs, endMs]; `inOrder` (endMs at or after the newest) drops the expired front. */
  count(startMs: number, endMs: number, inOrder: boolean): number {
    const times = this.times;
    if (inOrder) {
      const mems = this.mems, last = this.last;
      let h = this.head;
      while (h < times.length && times[h]! < startMs) last.delete(mems[h++]!);
      this.head = h;
      const live = times.length - h;
      this.compact();
      return live;
    }
    return this.bound(endMs, true) - this.bound(startMs, false);
  }

  private compact(): void {
    const h = this.head;
    if (h > 16 && h * 2 > this.times.length) {
      this.times = this.times.slice(h);
      this.mems = this.mems.slice(h);
      this.head = 0;
    }
  }
}

// A distinct table's row is [meta, t0, newest]; meta is NOT_HELD, NO_MEMBERS (held, no member
// yet), MEMBERS (held, members in a Members object), or FIRST_MEMBER + m (held, one member: m,
// last seen at t0).
const DROW = 3;
const T0 = 1, NEWEST = 2;
const NO_MEMBERS = 0, MEMBERS = 1, FIRST_MEMBER = 2;

/**
 * Distinct members of one feature, by entity number, members as numbers of their own interner.
 * Most entities (a person's phone, ID hash, device) only ever see one member: it lives in the
 * row, and a Members object is made on the second member.
 */
class DistinctTable {
  rows = new Float64Array(0);
  /** The Members of MEMBERS entities, by slot (few: a shared device, an address range). */
  readonly many = new Map<number, Members>();
  constructor(readonly ns: string, readonly windowMs: number, readonly entities: Interner, readonly members: Interner) {}

  holds(s: number): boolean {
    const r = s * DROW;
    return r < this.rows.length && this.rows[r] !== NOT_HELD;
  }

  create(s: number): void {
    if (s * DROW >= this.rows.length) {
      const cap = capacityFor(this.rows.length / DROW, s);
      this.rows = grown(this.rows, cap * DROW, NOT_HELD);
    }
    const r = s * DROW;
    this.rows[r] = NO_MEMBERS;
    this.rows[r + T0] = -Infinity;
    this.rows[r + NEWEST] = -Infinity;
  }

  lastSeen(s: number, member: number): number | undefined {
    const r = s * DROW, meta = this.rows[r]!;
    if (meta === MEMBERS) return this.many.get(s)!.last.get(member);
    return meta === FIRST_MEMBER + member ? this.rows[r + T0] : undefined;
  }

  touch(s: number, member: number, atMs: number): void {
    const rows = this.rows, r = s * DROW, meta = rows[r]!;
    let many: Members;
    if (meta === MEMBERS) many = this.many.get(s)!;
    else {
      if (meta === NO_MEMBERS || meta === FIRST_MEMBER + member) {
        rows[r] = FIRST_MEMBER + member;
        if (atMs > rows[r + T0]!) rows[r + T0] = atMs;
        if (atMs > rows[r + NEWEST]!) rows[r + NEWEST] = atMs;
        return;
      }
      this.many.set(s, (many = new Members(meta - FIRST_MEMBER, rows[r + T0]!)));
      rows[r] = MEMBERS;
    }
    many.touch(member, atMs);
    if (atMs > rows[r + NEWEST]!) rows[r + NEWEST] = atMs;
  }


  count(s: number, startMs: number, endMs: number): number {
    const rows = this.rows, r = s * DROW, meta = rows[r]!;
    if (meta === MEMBERS) return this.many.get(s)!.count(startMs, endMs, endMs >= rows[r + NEWEST]!);
    const t0 = rows[r + T0]!;
    return meta !== NO_MEMBERS && t0 >= startMs && t0 <= endMs ? 1 : 0;
  }

  /** Lets go of entities seen last before the window; marks the entities and members still held. */
  sweep(atMs: number): void {
    const w = this.windowMs, rows = this.rows, members = this.members;
    for (let s = 0, r = 0; r < rows.length; s++, r += DROW) {
      const meta = rows[r]!;
      if (meta === NOT_HELD) continue;
      if (rows[r + NEWEST]! + w < atMs) {
        if (meta === MEMBERS) this.many.delete(s);
        rows[r] = NOT_HELD;
        continue;
      }
      this.entities.mark(s);
      if (meta === MEMBERS) this.many.get(s)!.last.markAll(members);
      else if (meta !== NO_MEMBERS) members.mark(meta - FIRST_MEMBER);
    }
  }
}

export interface MemoryFeatureStoreOptions {
  /** How many event ids are remembered for deduplication (oldest forgotten first). */
  dedupCapacity?: number;
  /** Every this many calls, entities whose window has emptied are dropped (bounds memory). */
  sweepEvery?: number;
  /**
   * Seeds the hash of the key tables. Only speed depends on it, never an answer; random by
   * default so that nobody can pick device ids that all land in one probe run.
   */
  hashSeed?: number;
}

export class MemoryFeatureStore implements FeatureStore {
  readonly backend = 'memory' as const;
  private readonly sums = new Map<string, SumTable>();
  private readonly distincts = new Map<string, DistinctTable>();
  /** By entity kind (ops that name one) or by feature name (ops that do not); members by kind. */
  private readonly interners = new Map<string, Interner>();
  private readonly seen = new Set<string>();
  private readonly dedupCapacity: number;
  private applies = 0;
  private readonly sweepEvery: number;
  private readonly hashSeed: number;
  /** The window of a feature name, from the first op that named it (sum or distinct). */
  private readonly windowOf = new Map<string, number>();
  // By op position, the tables named there by the last two calls' ops (two: claims and
  // redemptions take turns and put different features at one position), so that most ops find
  // their table without a map lookup by name.
  private readonly sumAt: (SumTable | undefined)[] = [];
  private readonly distinctAt: (DistinctTable | undefined)[] = [];
  /** Numbers the applySync calls, for the interners' last-key memo. */
  private calls = 0;

  constructor(opts: MemoryFeatureStoreOptions = {}) {
    this.dedupCapacity = opts.dedupCapacity ?? 1_000_000;
    this.sweepEvery = opts.sweepEvery ?? 200_000;
    this.hashSeed = opts.hashSeed ?? (Math.random() * 2 ** 32) | 0;
  }

  apply(ops: readonly FeatureOp[], atMs: number, opts: ApplyOptions): Promise<Float64Array> {
    return Promise.resolve(this.applySync(ops, atMs, opts));
  }

  /**
   * The synchronous core, for in-process callers that want no promise per event. With `out`, the
   * first `count` ops are applied and their values written there (callers reusing their buffers).
   */
  applySync(ops: readonly FeatureOp[], atMs: number, opts: ApplyOptions, out?: Float64Array, count = ops.length): Float64Array {
    let record = opts.record;
    // virtual: count the event without writing it (what-if); a duplicate is neither written nor added
    const virtual = !record;
    if (record && opts.dedupId !== undefined) {
      if (this.seen.has(opts.dedupId)) record = false;
      else this.remember(opts.dedupId);
    }
    const values = out ?? new Float64Array(count);
    this.calls++;
    for (let i = 0; i < count; i++) {
      const op = ops[i]!;
      values[i] = op.kind === 'sum' ? this.sum(op, i, atMs, record, virtual) : this.distinct(op, i, atMs, record, virtual);
    }
    if (++this.applies % this.sweepEvery === 0) this.sweep(atMs);
    return values;
  }

  private window(ns: string, op: FeatureOp): number {
    let w = this.windowOf.get(ns);
    if (w === undefined) this.windowOf.set(ns, (w = op.bucketMs * op.buckets));
    return w;
  }

  private interner(name: string): Interner {
    let i = this.interners.get(name);
    if (i === undefined) this.interners.set(name, (i = new Interner(this.hashSeed)));
    return i;
  }

  /** The key's number, or undefined when nothing holds it; `create` gives it one. */
  private keyId(interner: Interner, key: string, tail: string | number | undefined, create: boolean): number | undefined {
    let id: number | undefined;
    if (interner.call === this.calls && interner.lastKey === key && interner.lastTail === tail) id = interner.lastId;
    else {
      const h = (interner.lastHash = tail === undefined ? interner.hash(key) : interner.hashPair(key, tail));
      id = interner.find(key, tail, h);
      interner.call = this.calls;
      interner.lastKey = key;
      interner.lastTail = tail;
    }
    if (id === undefined && create) id = interner.take(key, tail, interner.lastHash);
    interner.lastId = id;
    return id;
  }

  /** The sum table of the op at position i: the one an op there named lately, or from the map. */
  private sumTable(op: FeatureOp, i: number): SumTable {
    const at = this.sumAt, k = 2 * i, a = at[k];
    if (a !== undefined && a.ns === op.ns) return a;
    const b = at[k + 1];
    if (b !== undefined && b.ns === op.ns) return b;
    let table = this.sums.get(op.ns);
    if (table === undefined) this.sums.set(op.ns, (table = new SumTable(op.ns, this.window(op.ns, op), this.interner(op.entityKind ?? `ns:${op.ns}`))));
    at[k + 1] = a;
    at[k] = table;
    return table;
  }

  private distinctTable(op: FeatureOp, i: number): DistinctTable {
    const at = this.distinctAt, k = 2 * i, a = at[k];
    if (a !== undefined && a.ns === op.ns) return a;
    const b = at[k + 1];
    if (b !== undefined && b.ns === op.ns) return b;
    let table = this.distincts.get(op.ns);
    if (table === undefined)
      this.distincts.set(op.ns, (table = new DistinctTable(op.ns, this.window(op.ns, op), this.interner(op.entityKind ?? `ns:${op.ns}`), this.interner(op.memberKind ?? 'member'))));
    at[k + 1] = a;
    at[k] = table;
    return table;
  }

  private sum(op: FeatureOp, i: number, atMs: number, record: boolean, virtual: boolean): number {
    const b = Math.floor(atMs / op.bucketMs);
    const table = this.sumTable(op, i);
    const add = Number.isNaN(op.add) ? 0 : op.add;
    let s = this.keyId(table.entities, op.entity, op.entityTail, false);
    if (s === undefined || !table.holds(s)) {
      if (!record) return virtual ? add : 0;
      s ??= this.keyId(table.entities, op.entity, op.entityTail, true)!;
      table.create(s, op.buckets);
    }
    if (!record) return table.read(s, b) + (virtual ? add : 0);
    return add !== 0 ? table.addRead(s, b, add) : table.read(s, b);
  }

  private distinct(op: FeatureOp, i: number, atMs: number, record: boolean, virtual: boolean): number {
    const b = Math.floor(atMs / op.bucketMs);
    const table = this.distinctTable(op, i);
    let s = this.keyId(table.entities, op.entity, op.entityTail, false);
    const startMs = (b - op.buckets + 1) * op.bucketMs;
    const member = op.member;
    if (s === undefined || !table.holds(s)) {
      if (!record || member === undefined) return member !== undefined && virtual ? 1 : 0;
      s ??= this.keyId(table.entities, op.entity, op.entityTail, true)!;
      table.create(s);
    }
    if (member !== undefined) {
      if (record) {
        table.touch(s, this.keyId(table.members, member, undefined, true)!, atMs);
      } else if (virtual) {
        const m = this.keyId(table.members, member, undefined, false);
        const prev = m === undefined ? undefined : table.lastSeen(s, m);
        if (prev === undefined || prev < startMs) return table.count(s, startMs, atMs) + 1;
      }
    }
    return table.count(s, startMs, atMs);
  }

  /**
   * Drops entities with nothing left in their window at `atMs` (stream time, not the wall clock),
   * then gives back the numbers of keys no feature holds any more.
   */
  private sweep(atMs: number): void {
    for (const i of this.interners.values()) i.beginMarks();
    for (const t of this.sums.values()) t.sweep(atMs);
    for (const t of this.distincts.values()) t.sweep(atMs);
    for (const i of this.interners.values()) i.endMarks();
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > this.dedupCapacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  async close(): Promise<void> {
    this.sums.clear();
    this.distincts.clear();
    this.sumAt.length = 0;
    this.distinctAt.length = 0;
    this.interners.clear();
  }
}
