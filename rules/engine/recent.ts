// The decisions of the most recent events by event id, so a redelivered claim or redemption gets
// the answer it got the first time (oldest forgotten first once `capacity` are held).
//
// Why not a Map of decision objects: one entry per event, held for up to a million events, made
// every decision object, its strings, its reasons array and the map's entries survive
// young-generation collections (copied, then moved to the old generation), and the map's table
// was rehashed as it grew. In the in-process bench about 40% of what a young collection found was
// still alive, and this bookkeeping cost about a fifth of the engine's CPU. Here an entry holds no
// JS object: the two ids are copied as bytes into fixed-width typed-array slots (an id longer than
// a slot, or not Latin-1, is kept as a string apart), the reasons are a number into a table of the
// distinct reason lists seen, and the lookup is an open-addressing table of event-id hashes,
// probed linearly. The decision object is built again only for a redelivered event.
import { OUTCOMES, type RiskDecision } from '../../core/decision.ts';
import { grown, hashOf, IdColumn } from '../reference/id-ring.ts';

/** Distinct reason lists kept in the table; past that a decision keeps its own copy. */
const MAX_REASON_LISTS = 4096;
const NO_REASONS = 0, OWN_REASONS = -1;

export class RecentDecisions {
  // Entries by number (the n-th remembered event is entry n mod capacity), in arrays that grow
  // by doubling until they hold `capacity` entries.
  private readonly eventIds = new IdColumn();
  private readonly decisionIds = new IdColumn();
  private hashes = new Int32Array(0);
  private outcomes = new Uint8Array(0);
  private scores = new Float64Array(0);
  /** Rule set version: its number in `versionList`. */
  private versions = new Int32Array(0);
  private readonly versionList: string[] = [];
  /** NO_REASONS, OWN_REASONS (in `ownReasons`), or 1 + the list's number in `reasonLists`. */
  private reasonIds = new Int32Array(0);
  private readonly reasonLists: (readonly string[])[] = [];
  /** The reason lists by their first reason, to find a list seen before without building a key. */
  private readonly listsByFirst = new Map<string, number[]>();
  private readonly ownReasons = new Map<number, string[]>();
  /**
   * Open addressing: at 2p entry number + 1 (0 = empty), at 2p + 1 that entry's hash, so a probe
   * reads no id, and reads one place where two arrays cost a cache miss each (most lookups are of
   * new event ids, at random places of a table that outgrows the caches).
   */
  private slots = new Int32Array(0);
  private mask = -1;
  /** How many entries were ever added; the live ones are the last min(added, capacity). */
  private added = 0;
  // The engine asks `get` and then, having decided, `add` for the same event: the miss of the
  // last `get` (its id and hash) spares `add` hashing and probing again, unless an add came between.
  private missId: string | undefined;
  private missHash = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return Math.min(this.added, this.capacity);
  }

  get(eventId: string): RiskDecision | undefined {
    const h = hashOf(eventId);
    const k = this.find(eventId, h);
    if (k >= 0) return this.decisionAt(k);
    this.missId = eventId;
    this.missHash = h;
    return undefined;
  }

  /** Remembers a decision; a second one for the same event id takes the first one's place, as Map.set did. */
  add(d: RiskDecision): void {
    const cap = this.capacity;
    if (cap <= 0) return;
    const known = d.eventId === this.missId;
    const h = known ? this.missHash : hashOf(d.eventId);
    let k = known ? -1 : this.find(d.eventId, h);
    this.missId = undefined;
    if (k < 0) {
      k = this.added % cap;
      if (this.added >= cap) this.unlink(k);
      else if (k >= this.hashes.length) this.grow();
      this.hashes[k] = h;
      this.link(k, h);
      this.added++;
      this.eventIds.set(k, d.eventId);
    }
    this.decisionIds.set(k, d.decisionId);
    this.versions[k] = this.versionNumber(d.rulesetVersion);
    if (this.reasonIds[k] === OWN_REASONS) this.ownReasons.delete(k);
    this.reasonIds[k] = this.reasonsNumber(k, d.reasons);
    this.outcomes[k] = OUTCOMES.indexOf(d.decision);
    this.scores[k] = d.score;
  }

  /** The entry number holding this event id, or -1. */
  private find(eventId: string, h: number): number {
    if (this.added === 0) return -1;
    const slots = this.slots, mask = this.mask;
    for (let p = h & mask; slots[2 * p] !== 0; p = (p + 1) & mask) {
      if (slots[2 * p + 1] !== h) continue;
      const k = slots[2 * p]! - 1;
      if (this.eventIds.equals(k, eventId)) return k;
    }
    return -1;
  }

  private decisionAt(k: number): RiskDecision {
    const r = this.reasonIds[k]!;
    return {
      decisionId: this.decisionIds.get(k),
      eventId: this.eventIds.get(k),
      decision: OUTCOMES[this.outcomes[k]!]!,
      score: this.scores[k]!,
      // A copy: the caller may change its answer without changing a later one.
      reasons: r === NO_REASONS ? [] : r === OWN_REASONS ? this.ownReasons.get(k)!.slice() : this.reasonLists[r - 1]!.slice(),
      rulesetVersion: this.versionList[this.versions[k]!]!,
    };
  }

  private versionNumber(v: string): number {
    // Versions are few: the live and shadow rule sets an engine was built with.
    const i = this.versionList.indexOf(v);
    return i >= 0 ? i : this.versionList.push(v) - 1;
  }

  private reasonsNumber(k: number, reasons: readonly string[]): number {
    const n = reasons.length;
    if (n === 0) return NO_REASONS;
    const candidates = this.listsByFirst.get(reasons[0]!);
    if (candidates !== undefined) {
      for (const c of candidates) {
        const list = this.reasonLists[c]!;
        if (list.length !== n) continue;
        let same = true;
        for (let i = 1; i < n && same; i++) same = list[i] === reasons[i];
        if (same) return c + 1;
      }
    }
    if (this.reasonLists.length >= MAX_REASON_LISTS) {
      this.ownReasons.set(k, reasons.slice());
      return OWN_REASONS;
    }
    const c = this.reasonLists.push(Object.freeze(reasons.slice())) - 1;
    if (candidates !== undefined) candidates.push(c);
    else this.listsByFirst.set(reasons[0]!, [c]);
    return c + 1;
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
      const home = slots[2 * q + 1]! & mask;
      // The entry at q may move into the hole at p unless its home lies cyclically in (p, q].
      if (p <= q ? home > p && home <= q : home > p || home <= q) continue;
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
    this.outcomes = grown(this.outcomes, n);
    this.scores = grown(this.scores, n);
    this.versions = grown(this.versions, n);
    this.reasonIds = grown(this.reasonIds, n);
    this.eventIds.grow(n);
    this.decisionIds.grow(n);
    let size = 1;
    while (size < n * 2) size *= 2;
    this.slots = new Int32Array(2 * size);
    this.mask = size - 1;
    for (let k = 0; k < this.added; k++) this.link(k, this.hashes[k]!);
  }
}
