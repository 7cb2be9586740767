// The decisions of the most recent events by event id, so a redelivered claim or redemption gets
// the answer it got the first time (oldest forgotten first once `capacity` are held).
//
// Why not a Map of decision objects: one entry per event, held for up to a million events, made
// every decision object, its reasons array and the map's entries survive young-generation
// collections and move to the old generation, and the map's table was rehashed as it grew. In
// the in-process bench that bookkeeping cost about a fifth of the engine's CPU. Here an entry is
// a few numbers in typed arrays (an open-addressing table of event-id hashes, probed linearly)
// plus the two id strings; the decision object is built again only for a redelivered event.
import { OUTCOMES, type RiskDecision } from '../../core/decision.ts';

/** 32-bit FNV-1a over the UTF-16 code units: cheap, and only a first filter before the ids are compared. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class RecentDecisions {
  // Entries by number (the n-th remembered event is entry n mod capacity), in arrays that grow
  // by doubling until they hold `capacity` entries.
  private eventIds: string[] = [];
  private decisionIds: string[] = [];
  private versions: string[] = [];
  /** Only decisions with reasons keep their array; most have none. */
  private reasons: (string[] | undefined)[] = [];
  private hashes = new Int32Array(0);
  private outcomes = new Uint8Array(0);
  private scores = new Float64Array(0);
  /** Open addressing: entry number + 1 (0 = empty) and that entry's hash beside it, so a probe reads no string. */
  private slots = new Int32Array(0);
  private slotHashes = new Int32Array(0);
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
    }
    this.eventIds[k] = d.eventId;
    this.decisionIds[k] = d.decisionId;
    this.versions[k] = d.rulesetVersion;
    this.reasons[k] = d.reasons.length > 0 ? d.reasons : undefined;
    this.outcomes[k] = OUTCOMES.indexOf(d.decision);
    this.scores[k] = d.score;
  }

  /** The entry number holding this event id, or -1. */
  private find(eventId: string, h: number): number {
    if (this.added === 0) return -1;
    const slots = this.slots, slotHashes = this.slotHashes, mask = this.mask;
    for (let p = h & mask; slots[p] !== 0; p = (p + 1) & mask) {
      if (slotHashes[p] !== h) continue;
      const k = slots[p]! - 1;
      if (this.eventIds[k] === eventId) return k;
    }
    return -1;
  }

  private decisionAt(k: number): RiskDecision {
    return {
      decisionId: this.decisionIds[k]!,
      eventId: this.eventIds[k]!,
      decision: OUTCOMES[this.outcomes[k]!]!,
      score: this.scores[k]!,
      reasons: this.reasons[k] ?? [],
      rulesetVersion: this.versions[k]!,
    };
  }

  private link(k: number, h: number): void {
    const slots = this.slots, mask = this.mask;
    let p = h & mask;
    while (slots[p] !== 0) p = (p + 1) & mask;
    slots[p] = k + 1;
    this.slotHashes[p] = h;
  }

  /** Takes entry k out of the table: linear probing's deletion, moving later entries of the run back. */
  private unlink(k: number): void {
    const slots = this.slots, slotHashes = this.slotHashes, mask = this.mask;
    let p = this.hashes[k]! & mask;
    while (slots[p] !== k + 1) p = (p + 1) & mask;
    slots[p] = 0;
    for (let q = (p + 1) & mask; slots[q] !== 0; q = (q + 1) & mask) {
      const home = slotHashes[q]! & mask;
      // The entry at q may move into the hole at p unless its home lies cyclically in (p, q].
      if (p <= q ? home > p && home <= q : home > p || home <= q) continue;
      slots[p] = slots[q]!;
      slotHashes[p] = slotHashes[q]!;
      slots[q] = 0;
      p = q;
    }
  }

  /** Doubles the entry arrays (up to capacity) and rebuilds the table at twice their size. */
  private grow(): void {
    const n = Math.min(this.capacity, Math.max(1024, this.hashes.length * 2));
    const hashes = new Int32Array(n), outcomes = new Uint8Array(n), scores = new Float64Array(n);
    hashes.set(this.hashes);
    outcomes.set(this.outcomes);
    scores.set(this.scores);
    this.hashes = hashes;
    this.outcomes = outcomes;
    this.scores = scores;
    let size = 1;
    while (size < n * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.slotHashes = new Int32Array(size);
    this.mask = size - 1;
    for (let k = 0; k < this.added; k++) this.link(k, hashes[k]!);
  }
}
