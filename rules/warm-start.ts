// Warm start of the rules engine from the analytics store. The engine's reference state (shops,
// campaigns, winners, prices, coupons) lives in memory, and on the embedded default its feature
// windows too: a restart would forget every window, and the fifth account of a bot farm on one
// device would look like the first. At start the engine therefore reads back what the store holds:
// reference events of all time and prices before the window, then every event of the longest
// feature window, slice by slice in time order, exactly as ingest would have handed them over.
//
// The same pass closes the gap between the store and the rules across a crash: ingest stores a
// batch before the processors see it, so events stored just before a crash were never decided.
// Decisions already in decisions_v1 are not written again (the gate drops them); events without
// one get theirs now, so every stored claim and redemption ends up with exactly one decision.
import { z } from 'zod';
import type { EventType } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import { EVENT_TABLES } from '../ingest/store/rows.ts';
import { readHistory, type HistoryReader } from './backtest/history.ts';
import type { CompiledRuleset } from './engine/compile.ts';
import type { RulesEngine } from './engine/engine.ts';
import type { DecisionRecord, DecisionSink } from './sink/types.ts';

const REFERENCE: readonly EventType[] = ['campaign.published', 'merchant.registered', 'eligibility.granted', 'price.observed'];
const DAY_MS = 86_400_000;

/**
 * The engine's sink during a warm start: decisions whose event already has one stored (live or
 * shadow, each on its own) are dropped; everything else passes to the real sink.
 */
export class WarmStartGate implements DecisionSink {
  private stored: { live: Set<string>; shadow: Set<string> } | null = null;
  private dropped = 0;
  private passedLive = 0;

  constructor(private readonly inner: DecisionSink) {}

  /** Between slices of a warm start: the events of the slice that already have decisions. */
  skip(stored: { live: Set<string>; shadow: Set<string> } | null): void {
    this.stored = stored;
  }

  /** Live decisions dropped as already stored, and live decisions let through, while gating. */
  counts(): { dropped: number; passedLive: number } {
    return { dropped: this.dropped, passedLive: this.passedLive };
  }

  async write(records: readonly DecisionRecord[]): Promise<void> {
    const stored = this.stored;
    if (!stored) return this.inner.write(records);
    const fresh = records.filter((r) => !(r.shadow ? stored.shadow : stored.live).has(r.eventId));
    for (const r of records) {
      if (r.shadow) continue;
      if (stored.live.has(r.eventId)) this.dropped++;
      else this.passedLive++;
    }
    if (fresh.length > 0) await this.inner.write(fresh);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }
}

export interface WarmStartDeps {
  engine: RulesEngine;
  store: HistoryReader;
  gate: WarmStartGate;
  /** The rule sets whose windows must be filled (live and shadow). */
  rulesets: readonly CompiledRuleset[];
  /** Now, in event time (the injected clock). */
  nowMs: number;
  logger: Logger;
  /** Events read per query; default one day. */
  sliceMs?: number;
}

export interface WarmStartResult {
  fromMs: number;
  referenceEvents: number;
  windowEvents: number;
  /** Claims and redemptions decided now because the store held them without a decision. */
  decidedNow: number;
  alreadyDecided: number;
  rejected: number;
  ms: number;
}

/** The longest feature window of the rule sets: how far back the engine must see. */
export function warmStartWindowMs(rulesets: readonly CompiledRuleset[]): number {
  let w = 0;
  for (const rs of rulesets) for (const f of rs.features) w = Math.max(w, f.spec.windowMs);
  return w;
}

const decidedRow = z.object({ eventId: z.string(), shadow: z.coerce.number() });

export async function warmStart(deps: WarmStartDeps): Promise<WarmStartResult> {
  const began = performance.now();
  const fromMs = deps.nowMs - warmStartWindowMs(deps.rulesets);
  const sliceMs = deps.sliceMs ?? DAY_MS;
  let rejected = 0;
  let decidedBefore = 0;
  let windowEvents = 0;

  // Reference data from before the window (a shop registered months ago still trades today).
  const ref = await readHistory(deps.store, { toMs: fromMs, types: REFERENCE });
  rejected += ref.rejected.length;
  for (const e of ref.events) await deps.engine.process(e);

  const before = deps.gate.counts();
  // Start at the first stored event of the window: a fresh store costs one query, not one per day.
  const first = await firstStoredAt(deps.store, fromMs);
  try {
    for (let t = first === null ? Infinity : fromMs + Math.floor((first - fromMs) / sliceMs) * sliceMs; t <= deps.nowMs; t += sliceMs) {
      const to = Math.min(t + sliceMs, deps.nowMs + 1);
      const slice = await readHistory(deps.store, { fromMs: t, toMs: to });
      rejected += slice.rejected.length;
      if (slice.events.length === 0) continue;
      const rows = await deps.store.query(
        `SELECT DISTINCT eventId, shadow FROM {{db}}.decisions_v1 WHERE occurredAt >= {from:DateTime64(3, 'UTC')} AND occurredAt < {to:DateTime64(3, 'UTC')}`,
        { from: chTime(t), to: chTime(to) },
        decidedRow,
      );
      const stored = { live: new Set<string>(), shadow: new Set<string>() };
      for (const r of rows) (r.shadow ? stored.shadow : stored.live).add(r.eventId);
      decidedBefore += stored.live.size;
      deps.gate.skip(stored);
      for (const e of slice.events) await deps.engine.process(e);
      windowEvents += slice.events.length;
    }
  } finally {
    deps.gate.skip(null);
  }
  await deps.gate.flush();
  const after = deps.gate.counts();
  const result: WarmStartResult = {
    fromMs,
    referenceEvents: ref.events.length,
    windowEvents,
    decidedNow: after.passedLive - before.passedLive,
    alreadyDecided: decidedBefore,
    rejected,
    ms: Math.round(performance.now() - began),
  };
  deps.logger.info('rules warm start: windows refilled from the store', { ...result, from: new Date(fromMs).toISOString() });
  if (rejected > 0) deps.logger.warn('rules warm start: stored rows the contract no longer accepts were left out', { rejected });
  return result;
}

const firstRow = z.object({ t: z.coerce.number() });

/** Epoch ms of the earliest event stored at or after `fromMs`, or null when there is none. */
async function firstStoredAt(store: HistoryReader, fromMs: number): Promise<number | null> {
  const parts = Object.values(EVENT_TABLES).map((t) => `SELECT min(occurredAt) AS m, count() AS n FROM {{db}}.${t} WHERE occurredAt >= {from:DateTime64(3, 'UTC')}`);
  const rows = await store.query(`SELECT toUnixTimestamp64Milli(minIf(m, n > 0)) AS t, sum(n) AS total FROM (${parts.join(' UNION ALL ')})`, { from: chTime(fromMs) }, firstRow.extend({ total: z.coerce.number() }));
  return rows[0] && rows[0].total > 0 ? rows[0].t : null;
}

function chTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
