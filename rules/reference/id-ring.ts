import { mayFillHole } from '../../core/linear-probing.ts';
import { grown } from '../../core/typed-arrays.ts';

// Ids of the most recent entries, each found by its id in an open-addressing table of hashes,
// holding no JS object per entry: what RecentDecisions (event ids) and the reference's orders
// (order ids) need. A Map of id strings kept every id, a string parsed from its event, alive past
// young collections (copied, then promoted), with a Map entry beside it, for every redemption.

/** 32-bit FNV-1a over the UTF-16 code units: cheap, and only a first filter before the ids are compared. */
export function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Bytes per id slot: event, decision and order ids in practice are 10-30 characters. */
const ID_BYTES = 32;

/**
 * Ids of `ID_BYTES` characters or fewer, all Latin-1, as bytes in slot k; longer ones as strings
 * in a map by slot (the same answers, only not as compact).
 */
export class IdColumn {
  bytes = new Uint8Array(0);
  lens = new Uint8Array(0);
  private readonly long = new Map<number, string>();

  grow(n: number): void {
    this.bytes = grown(this.bytes, n * ID_BYTES);
    this.lens = grown(this.lens, n);
  }

  set(k: number, id: string): void {
    if (this.lens[k] === 255) this.long.delete(k);
    const n = id.length;
    if (n <= ID_BYTES) {
      const bytes = this.bytes, at = k * ID_BYTES;
      let i = 0;
      for (; i < n; i++) {
        const c = id.charCodeAt(i);
        if (c > 255) break;
        bytes[at + i] = c;
      }
      if (i === n) {
        this.lens[k] = n;
        return;
      }
    }
    this.lens[k] = 255;
    this.long.set(k, id);
  }

  equals(k: number, id: string): boolean {
    const n = this.lens[k]!;
    if (n === 255) return this.long.get(k) === id;
    if (n !== id.length) return false;
    const bytes = this.bytes, at = k * ID_BYTES;
    for (let i = 0; i < n; i++) if (bytes[at + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  get(k: number): string {
    const n = this.lens[k]!;
    if (n === 255) return this.long.get(k)!;
    const at = k * ID_BYTES;
    return String.fromCharCode(...this.bytes.subarray(at, at + n));
  }
}

/**
 * The last `capacity` ids added, by entry number (the n-th id added is entry n mod capacity, the
 * oldest forgotten first), found by id. The caller keeps what goes with an entry in arrays of its
 * own indexed by entry number, grown when `add` says so.
 */
export class IdRing {
  readonly ids = new IdColumn();
  private hashes = new Int32Array(0);
  /**
   * Open addressing: at 2p entry number + 1 (0 = empty), at 2p + 1 that entry's hash, so a probe
   * reads no id, and reads one place where two arrays cost a cache miss each.
   */
  private slots = new Int32Array(0);
  private mask = -1;
  /** How many entries were ever added; the live ones are the last min(added, capacity). */
  private added = 0;

  /** `what` names the capacity in the error for one that is not a whole number of at least 1. */
  constructor(readonly capacity: number, what = 'capacity') {
    // Entry numbers are `added % capacity`: 0 or a fraction would give NaN or holes, never an entry.
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`${what} must be a whole number of at least 1, got ${capacity}`);
  }

  get size(): number {
    return Math.min(this.added, this.capacity);
  }

  /** Entries the arrays hold now (they double up to capacity). */
  get length(): number {
    return this.hashes.length;
  }

  /** The entry number holding this id (h: its hashOf), or -1. */
  find(id: string, h: number): number {
    if (this.added === 0) return -1;
    const slots = this.slots, mask = this.mask;
    for (let p = h & mask; slots[2 * p] !== 0; p = (p + 1) & mask) {
      if (slots[2 * p + 1] !== h) continue;
      const k = slots[2 * p]! - 1;
      if (this.ids.equals(k, id)) return k;
    }
    return -1;
  }

  /** Adds an id not held (h: its hashOf), forgetting the oldest when full; its entry number. */
  add(id: string, h: number): number {
    const cap = this.capacity;
    const k = this.added % cap;
    if (this.added >= cap) this.unlink(k);
    else if (k >= this.hashes.length) this.grow();
    this.hashes[k] = h;
    this.link(k, h);
    this.added++;
    this.ids.set(k, id);
    return k;
  }

  private link(k: number, h: number): void {
    const slots = this.slots, mask = this.mask;
    let p = h & mask;
    while (slots[2 * p] !== 0) p = (p + 1) & mask;
    slots[2 * p] = k + 1;
    slots[2 * p + 1] = h;
  }

  /** Takes entry k out of the table: linear probing's deletion, moving later entries of the run back. */
  private unlink(k: number): void {
    const slots = this.slots, mask = this.mask;
    let p = this.hashes[k]! & mask;
    while (slots[2 * p] !== k + 1) p = (p + 1) & mask;
    slots[2 * p] = 0;
    for (let q = (p + 1) & mask; slots[2 * q] !== 0; q = (q + 1) & mask) {
      if (!mayFillHole(p, q, slots[2 * q + 1]! & mask)) continue;
      slots[2 * p] = slots[2 * q]!;
      slots[2 * p + 1] = slots[2 * q + 1]!;
      slots[2 * q] = 0;
      p = q;
    }
  }

  /** Doubles the entry arrays (up to capacity) and rebuilds the table at twice their size. */
  private grow(): void {
    const n = Math.min(this.capacity, Math.max(1024, this.hashes.length * 2));
    this.hashes = grown(this.hashes, n);
    this.ids.grow(n);
    let size = 1;
    while (size < n * 2) size *= 2;
    this.slots = new Int32Array(2 * size);
    this.mask = size - 1;
    for (let k = 0; k < this.added; k++) this.link(k, this.hashes[k]!);
  }
}
