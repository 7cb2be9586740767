// One batch from the bus into the store, exactly once per eventId. Order matters and is the crash
// story: (1) decode, (2) drop repeats inside the batch, (3) ask the store which ids it already
// has (ingest/dedup.ts says why the tables are the ledger), (4) one INSERT per event table
// (independent tables at once, INSERT_STAGE), (5) dead letters to the topic and then the table,
// (6) processors. The bus commits offsets only after this resolves; a failure anywhere rejects
// and the batch comes again, and steps 2-3 make the second pass write only what the first one did
// not.
import type { Clock } from '../core/clock.ts';
import type { EventBus, BusMessage } from '../core/bus.ts';
import type { Logger } from '../core/logger.ts';
import type { AnalyticsStore } from './store/analytics-store.ts';
import { DEAD_LETTERS_TABLE, EVENT_COLUMNS, EVENT_TABLES, eventRow, eventValues, rowValues, type Row, type RowValues } from './store/rows.ts';
import { decodeBatch, type DecodedEvent } from './decode.ts';
import { deadLetterMessage, deadLetterRow, makeDeadLetter, type DeadLetter } from './dead-letters.ts';
import { findStored } from './dedup.ts';
import { countType, emptyOutcome, type IngestOutcome } from './outcome.ts';
import { runProcessors, type EventProcessor } from './pipeline.ts';
import type { StoredIds } from './stored-ids.ts';

export interface BatchDeps {
  bus: EventBus;
  store: AnalyticsStore;
  logger: Logger;
  clock: Clock;
  deadLetterTopic: string;
  processors: readonly EventProcessor[];
  /**
   * Every id the store holds, when this process is its only writer (stored-ids.ts): only the ids
   * it cannot rule out are looked up in the store. Without it every id is looked up.
   */
  storedIds?: StoredIds;
}

export async function ingestBatch(deps: BatchDeps, messages: readonly BusMessage[]): Promise<IngestOutcome> {
  const outcome = emptyOutcome();
  outcome.messages = messages.length;
  const { events, deadLetters } = decodeBatch(messages);

  const firstSeen = new Map<string, DecodedEvent>();
  const repeats: DecodedEvent[] = [];
  for (const d of events) {
    if (firstSeen.has(d.event.eventId)) repeats.push(d);
    else firstSeen.set(d.event.eventId, d);
  }
  const letters = new Map<string, DeadLetter>();
  let letterRepeats = 0;
  for (const d of deadLetters) {
    if (letters.has(d.deadLetterId)) letterRepeats++;
    else letters.set(d.deadLetterId, d);
  }

  const filter = deps.storedIds;
  const maybeEvents: DecodedEvent[] = [];
  for (const d of firstSeen.values()) if (!filter || filter.mightHave(d.event.eventId)) maybeEvents.push(d);
  const maybeLetters = filter ? [...letters.keys()].filter((id) => filter.mightHave(id)) : [...letters.keys()];
  const stored = await findStored(deps.store, lookups(maybeEvents, maybeLetters));

  const fresh: DecodedEvent[] = [];
  for (const d of firstSeen.values()) {
    if (stored.has(d.event.eventId)) countType(outcome, d.event.type, 'duplicate');
    else fresh.push(d);
  }
  for (const d of repeats) countType(outcome, d.event.type, 'duplicate');
  const freshLetters = [...letters.values()].filter((d) => !stored.has(d.deadLetterId));
  outcome.deadLetterDuplicate = letterRepeats + (letters.size - freshLetters.length);
  // Into the filter before the writes: a write that fails, or dies half done, must leave its ids
  // "maybe stored" so the redelivered batch asks the store about them.
  if (filter) {
    for (const d of fresh) filter.add(d.event.eventId);
    for (const d of freshLetters) filter.add(d.deadLetterId);
  }

  const refused = await insertEvents(deps, fresh);
  const accepted = refused.size === 0 ? fresh : fresh.filter((d) => !refused.has(d));
  for (const d of accepted) countType(outcome, d.event.type, 'accepted');
  for (const d of refused.values()) {
    freshLetters.push(d);
    filter?.add(d.deadLetterId);
  }

  if (freshLetters.length > 0) {
    await deps.bus.publish(deps.deadLetterTopic, freshLetters.map(deadLetterMessage));
    await deps.store.insert(DEAD_LETTERS_TABLE, freshLetters.map((d) => deadLetterRow(d, deps.clock)));
    for (const d of freshLetters) outcome.deadLetterFields[d.problem.field] = (outcome.deadLetterFields[d.problem.field] ?? 0) + 1;
    outcome.deadLettered = freshLetters.length;
  }

  if (deps.processors.length > 0) await runProcessors(deps.processors, accepted.map((d) => d.event));
  return outcome;
}

function lookups(events: readonly DecodedEvent[], deadLetterIds: string[]) {
  const byTable = new Map<string, { column: string; ids: string[] }>();
  for (const { event } of events) {
    const table = EVENT_TABLES[event.type];
    let entry = byTable.get(table);
    if (!entry) byTable.set(table, (entry = { column: 'eventId', ids: [] }));
    entry.ids.push(event.eventId);
  }
  if (deadLetterIds.length > 0) byTable.set(DEAD_LETTERS_TABLE, { column: 'deadLetterId', ids: deadLetterIds });
  return byTable;
}

/**
 * When each table is written within a batch. Tables of one stage are inserted at the same time
 * (chdb and a server both run them in parallel: measured ~1.3-1.9x the wall rate of one insert
 * after the other, bench/ingest.ts); a later stage starts when the earlier one is stored, because
 * the rollup views look up earlier tables at insert time: a redemption takes its merchant's
 * district from merchants_v1, a refund its order's campaign from redemptions_v1.
 */
export const INSERT_STAGE: Record<string, number> = { campaigns_v1: 0, merchants_v1: 0, eligibility_v1: 0, prices_v1: 0, claims_v1: 1, redemptions_v1: 1, refunds_v1: 2 };

/** Inserts one block per table; returns events the store refused as data (they become dead letters). */
async function insertEvents(deps: BatchDeps, fresh: readonly DecodedEvent[]): Promise<Map<DecodedEvent, DeadLetter>> {
  const byTable = new Map<string, DecodedEvent[]>();
  for (const d of fresh) {
    const table = EVENT_TABLES[d.event.type];
    const list = byTable.get(table);
    if (list) list.push(d);
    else byTable.set(table, [d]);
  }
  const stages: [string, DecodedEvent[]][][] = [];
  for (const entry of byTable) (stages[INSERT_STAGE[entry[0]] ?? 0] ??= []).push(entry);
  const refused = new Map<DecodedEvent, DeadLetter>();
  for (const stage of stages) {
    if (!stage) continue;
    // allSettled, not all: a failed insert rejects the batch and the bus delivers it again, whose
    // stored-id check must not run while a sibling insert of this batch is still being written.
    const results = await Promise.allSettled(stage.map(([table, items]) => insertTable(deps, table, items, refused)));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }
  return refused;
}

/**
 * A table's rows: value arrays for claims, redemptions and refunds (eventValues, one JSON.stringify
 * for the block in store.insert), objects from eventRow for the rare other types.
 */
function tableRows(table: string, items: readonly DecodedEvent[]): Row[] | RowValues {
  const columns = Object.hasOwn(EVENT_COLUMNS, table) ? EVENT_COLUMNS[table as keyof typeof EVENT_COLUMNS] : undefined;
  if (!columns) return items.map((d) => eventRow(d.event));
  const values: unknown[][] = new Array(items.length);
  for (let i = 0; i < items.length; i++) values[i] = eventValues(items[i]!.event)!;
  return rowValues(columns, values);
}

/** Rows [from, to) in the same form. */
function someRows(rows: Row[] | RowValues, from: number, to: number): Row[] | RowValues {
  return 'columns' in rows ? rowValues(rows.columns, rows.slice(from, to)) : rows.slice(from, to);
}

async function insertTable(deps: BatchDeps, table: string, items: readonly DecodedEvent[], refused: Map<DecodedEvent, DeadLetter>): Promise<void> {
  const rows = tableRows(table, items);
  try {
    await deps.store.insert(table, rows);
  } catch (err) {
    if (!isDataError(err)) throw err;
    // A row the schema accepted but ClickHouse refuses would fail the whole block on every
    // redelivery and stall the partition. Find it by halving the block; the others are stored.
    deps.logger.warn('store refused a batch; isolating the rows it refuses', { table, rows: rows.length, err: err as Error });
    await isolate(deps, items, rows, refused, table, 0, items.length);
  }
}

/**
 * Rows [from, to) were refused as a block: insert each half, and halve again the halves that are
 * refused, down to single rows, which become dead letters. A few bad rows in a 50,000-row batch
 * cost a few dozen INSERTs (row by row it took 50,000 at ~8 ms each).
 */
async function isolate(deps: BatchDeps, items: readonly DecodedEvent[], rows: Row[] | RowValues, refused: Map<DecodedEvent, DeadLetter>, table: string, from: number, to: number): Promise<void> {
  if (to - from === 1) {
    const d = items[from]!;
    const err = await deps.store.insert(table, someRows(rows, from, to)).then(() => undefined, (e: unknown) => e);
    if (err === undefined) return;
    if (!isDataError(err)) throw err;
    const reason = `was refused by the store: ${(err as Error).message.split('\n')[0]!.slice(0, 200)}`;
    refused.set(d, makeDeadLetter(d.message, { field: '(store)', reason }, { eventId: d.event.eventId, type: d.event.type }));
    return;
  }
  const mid = (from + to) >> 1;
  for (const [a, b] of [[from, mid], [mid, to]] as const) {
    if (b - a === 1) {
      await isolate(deps, items, rows, refused, table, a, b);
      continue;
    }
    try {
      await deps.store.insert(table, someRows(rows, a, b));
    } catch (err) {
      if (!isDataError(err)) throw err;
      await isolate(deps, items, rows, refused, table, a, b);
    }
  }
}

const DATA_ERROR = /PARSE|TYPE_MISMATCH|INCORRECT_DATA|OUT_OF_RANGE|TOO_LARGE|CANNOT_READ|ILLEGAL_TYPE|CANNOT_CONVERT/;

/** A ClickHouse error about the data itself (not the connection or the server): retrying cannot help. */
export function isDataError(err: unknown): boolean {
  const type = (err as { type?: unknown })?.type;
  return typeof type === 'string' && DATA_ERROR.test(type);
}

