// A refused message, with the field and the reason a producer can act on. Its id is a hash of the
// raw bytes, so the same bad message seen twice (redelivery, replaying a file again) is one record.
import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { BusMessage, OutgoingMessage } from '../core/bus.ts';
import type { EventProblem } from '../core/events.ts';
import { chTime } from './store/time.ts';

/** Raw text kept in the table and the dead-letter topic; the length is recorded beside it. */
export const RAW_KEEP_CHARS = 4096;

export interface DeadLetter {
  deadLetterId: string;
  eventId: string;
  eventType: string;
  problem: EventProblem;
  raw: string;
  rawBytes: number;
  source: Pick<BusMessage, 'topic' | 'partition' | 'offset' | 'key'>;
}

export function deadLetterId(raw: string): string {
  return `dlq_${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
}

export function makeDeadLetter(msg: BusMessage, problem: EventProblem, ids: { eventId?: string; type?: string } = {}, rawBytes?: number): DeadLetter {
  return {
    deadLetterId: deadLetterId(msg.value),
    eventId: (ids.eventId ?? '').slice(0, 128),
    eventType: (ids.type ?? '').slice(0, 64),
    problem: { field: problem.field.slice(0, 256), reason: problem.reason.slice(0, 512) },
    raw: truncate(msg.value),
    rawBytes: rawBytes ?? Buffer.byteLength(msg.value),
    source: { topic: msg.topic, partition: msg.partition, offset: msg.offset, key: msg.key },
  };
}

function truncate(s: string): string {
  return s.length <= RAW_KEEP_CHARS ? s : s.slice(0, RAW_KEEP_CHARS);
}

export function deadLetterRow(d: DeadLetter, clock: Clock): Record<string, unknown> {
  return {
    deadLetterId: d.deadLetterId,
    receivedAt: chTime(clock.now()),
    eventId: d.eventId,
    eventType: d.eventType,
    field: d.problem.field,
    reason: d.problem.reason,
    raw: d.raw,
    rawBytes: d.rawBytes,
    topic: d.source.topic,
    partition: d.source.partition,
    offset: d.source.offset,
  };
}

export function deadLetterMessage(d: DeadLetter): OutgoingMessage {
  return {
    key: d.source.key || d.deadLetterId,
    value: JSON.stringify({
      deadLetterId: d.deadLetterId,
      eventId: d.eventId || undefined,
      type: d.eventType || undefined,
      field: d.problem.field,
      reason: d.problem.reason,
      raw: d.raw,
      rawBytes: d.rawBytes,
      source: { topic: d.source.topic, partition: d.source.partition, offset: d.source.offset },
    }),
    headers: { 'x-dead-letter-field': d.problem.field },
  };
}
