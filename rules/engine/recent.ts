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
import { grown } from '../../core/typed-arrays.ts';
import { hashOf, IdColumn, IdRing } from '../reference/id-ring.ts';

/** Distinct reason lists kept in the table; past that a decision keeps its own copy. */
const MAX_REASON_LISTS = 4096;
const NO_REASONS = 0, OWN_REASONS = -1;

export class RecentDecisions {
  // Entries by number (the n-th remembered event is entry n mod capacity): the event ids and the
  // table that finds them are an IdRing's; what goes with an entry is in these arrays, grown with
  // the ring's until they hold `capacity` entries.
  private readonly ring: IdRing;
  private readonly decisionIds = new IdColumn();
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
  // The engine asks `get` and then, having decided, `add` for the same event: the miss of the
  // last `get` (its id and hash) spares `add` hashing and probing again, unless an add came between.
  private missId: string | undefined;
  private missHash = 0;

  constructor(readonly capacity: number) {
    // A capacity of 0 keeps nothing (add returns at once); the ring itself needs at least one entry.
    this.ring = new IdRing(Math.max(1, Math.floor(capacity)));
  }

  get size(): number {
    return this.ring.size;
  }

  get(eventId: string): RiskDecision | undefined {
    const h = hashOf(eventId);
    const k = this.ring.find(eventId, h);
    if (k >= 0) return this.decisionAt(k);
    this.missId = eventId;
    this.missHash = h;
    return undefined;
  }

  /** Remembers a decision; a second one for the same event id takes the first one's place, as Map.set did. */
  add(d: RiskDecision): void {
    if (this.capacity <= 0) return;
    const known = d.eventId === this.missId;
    const h = known ? this.missHash : hashOf(d.eventId);
    let k = known ? -1 : this.ring.find(d.eventId, h);
    this.missId = undefined;
    if (k < 0) {
      k = this.ring.add(d.eventId, h);
      if (k >= this.outcomes.length) this.grow(this.ring.length);
    }
    this.decisionIds.set(k, d.decisionId);
    this.versions[k] = this.versionNumber(d.rulesetVersion);
    if (this.reasonIds[k] === OWN_REASONS) this.ownReasons.delete(k);
    this.reasonIds[k] = this.reasonsNumber(k, d.reasons);
    this.outcomes[k] = OUTCOMES.indexOf(d.decision);
    this.scores[k] = d.score;
  }

  private decisionAt(k: number): RiskDecision {
    const r = this.reasonIds[k]!;
    return {
      decisionId: this.decisionIds.get(k),
      eventId: this.ring.ids.get(k),
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

  /** The columns at n entries, as the ring's arrays grew. */
  private grow(n: number): void {
    this.outcomes = grown(this.outcomes, n);
    this.scores = grown(this.scores, n);
    this.versions = grown(this.versions, n);
    this.reasonIds = grown(this.reasonIds, n);
    this.decisionIds.grow(n);
  }
}
