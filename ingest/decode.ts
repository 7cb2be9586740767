// Turns a batch of bus messages into contract events and dead letters. Never throws: whatever the
// bytes, each message ends up as exactly one of the two.
import type { BusMessage } from '../core/bus.ts';
import { parseEvent, parseEventLine, type QuanguardEvent } from '../core/events.ts';
import { fastEvent, MAX_STORABLE_MS, MIN_STORABLE_MS } from './decode-fast.ts';
import { makeDeadLetter, type DeadLetter } from './dead-letters.ts';

/** Longest message parsed. A longer one is refused before JSON.parse, so a hostile line costs nothing. */
export const MAX_EVENT_CHARS = 64 * 1024;
/** Header a producer (replay) sets when it cut an over-long line before publishing. */
export const ORIGINAL_LENGTH_HEADER = 'x-original-length';

// DateTime64(3) stores 1900-01-01 to 2299-12-31 (MIN/MAX_STORABLE_MS); the contract accepts any
// 4-digit year, so a time outside that range is refused here instead of failing (or being clamped
// in) the table insert.

export interface DecodedEvent {
  event: QuanguardEvent;
  message: BusMessage;
}

export interface DecodedBatch {
  events: DecodedEvent[];
  deadLetters: DeadLetter[];
}

export function decodeBatch(messages: readonly BusMessage[]): DecodedBatch {
  const events: DecodedEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const message of messages) {
    const decoded = decodeMessage(message);
    if ('event' in decoded) events.push({ event: decoded.event, message });
    else deadLetters.push(decoded.deadLetter);
  }
  return { events, deadLetters };
}

export function decodeMessage(message: BusMessage): { event: QuanguardEvent } | { deadLetter: DeadLetter } {
  const value = typeof message.value === 'string' ? message.value : String(message.value ?? '');
  const msg = value === message.value ? message : { ...message, value };
  const original = Number(message.headers?.[ORIGINAL_LENGTH_HEADER]);
  if (value.length > MAX_EVENT_CHARS || (Number.isFinite(original) && original > MAX_EVENT_CHARS)) {
    const length = Number.isFinite(original) && original > value.length ? original : value.length;
    return { deadLetter: makeDeadLetter(msg, { field: '(line)', reason: `is ${length} characters long; the limit is ${MAX_EVENT_CHARS}` }, {}, length) };
  }
  let parsed: Parsed;
  try {
    parsed = parseLine(value);
  } catch (err) {
    // parseEventLine promises not to throw; if a future schema breaks that promise, one message is
    // dead-lettered instead of the partition stalling on a batch that fails forever.
    return { deadLetter: makeDeadLetter(msg, { field: '(line)', reason: `could not be parsed: ${String((err as Error)?.message ?? err).slice(0, 200)}` }) };
  }
  if (!parsed.ok) return { deadLetter: makeDeadLetter(msg, parsed.problem, { eventId: parsed.eventId, type: parsed.type }) };
  // The fast path accepts only storable times (decode-fast.ts isTime), so only zod's events are checked.
  if (parsed.fast) return { event: parsed.event };
  const timeProblem = unstorableTime(parsed.event);
  if (timeProblem) return { deadLetter: makeDeadLetter(msg, timeProblem, { eventId: parsed.event.eventId, type: parsed.event.type }) };
  return { event: parsed.event };
}

/**
 * The common case skips zod: a line that is plainly a valid claim, redemption or refund
 * (decode-fast.ts) is taken as is; anything else, including every bad line, gets the full schema
 * and its field and reason. Bad JSON is re-read by parseEventLine so its wording stays the same.
 */
type Parsed = ReturnType<typeof parseEventLine> & { fast?: true };

function parseLine(value: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return parseEventLine(value);
  }
  const event = fastEvent(raw);
  return event ? { ok: true, event, fast: true } : parseEvent(raw);
}

function unstorableTime(e: QuanguardEvent): { field: string; reason: string } | undefined {
  const times: [string, string | undefined][] = [['occurredAt', e.occurredAt]];
  if (e.type === 'claim') times.push(['accountCreatedAt', e.accountCreatedAt]);
  if (e.type === 'campaign.published') times.push(['startsAt', e.startsAt], ['endsAt', e.endsAt]);
  for (const [field, iso] of times) {
    if (iso === undefined) continue;
    const ms = Date.parse(iso);
    if (!(ms >= MIN_STORABLE_MS && ms <= MAX_STORABLE_MS)) return { field, reason: 'must be between 1900-01-01 and 2299-12-31' };
  }
  return undefined;
}
