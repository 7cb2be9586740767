// Moves outbox entries to the bus, at least once: an entry is acknowledged only after the bus has
// accepted it, and entries another relay read but never acknowledged (it crashed) are claimed
// after `minIdleMs`. Consumers dedup on eventId, so a redelivery changes nothing downstream.
// An entry that does not parse as a contract event goes to the dead-letter topic with its reason.
import { TOPICS, type EventBus, type OutgoingMessage } from '../core/bus.ts';
import { parseEventLine, partitionKey } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { Outbox, OutboxEntry } from './state/outbox.ts';

export interface RelayOptions {
  outbox: Outbox;
  bus: EventBus;
  logger: Logger;
  consumer: string;
  group?: string;
  batchSize?: number;
  /** Pending entries older than this are taken over from a consumer presumed dead. */
  minIdleMs?: number;
  /** Pause between passes that found nothing. */
  idleWaitMs?: number;
  /** How often acknowledged entries are trimmed from the streams, first after one period (0: every pass). */
  trimEveryMs?: number;
}

export interface Relay {
  /** One pass over every stream; returns how many entries were published. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createRelay(opts: RelayOptions): Relay {
  const group = opts.group ?? 'relay';
  const batchSize = opts.batchSize ?? 500;
  const minIdleMs = opts.minIdleMs ?? 30_000;
  const idleWaitMs = opts.idleWaitMs ?? 50;
  const trimEveryMs = opts.trimEveryMs ?? 10_000;
  let lastTrim = performance.now();
  let running = false;
  let loop: Promise<void> | undefined;

  async function publish(entries: OutboxEntry[]): Promise<void> {
    if (!entries.length) return;
    const events: OutgoingMessage[] = [];
    const dead: OutgoingMessage[] = [];
    for (const e of entries) {
      const parsed = parseEventLine(e.eventJson);
      if (parsed.ok) events.push({ key: partitionKey(parsed.event), value: e.eventJson, headers: { source: 'issuance' } });
      else dead.push({ key: e.stream, value: JSON.stringify({ reason: parsed.problem, source: 'issuance-outbox', entryId: e.id, raw: e.eventJson.slice(0, 2000) }) });
    }
    if (events.length) await opts.bus.publish(TOPICS.events, events);
    if (dead.length) {
      opts.logger.error('relay: outbox entries are not contract events', { count: dead.length });
      await opts.bus.publish(TOPICS.deadLetter, dead);
    }
    await opts.outbox.ack(entries[0]!.stream, group, entries.map((e) => e.id));
  }

  async function runOnce(): Promise<number> {
    let moved = 0;
    for (const stream of await opts.outbox.streams()) {
      const stale = await opts.outbox.claimStale(stream, group, opts.consumer, minIdleMs, batchSize);
      await publish(stale);
      moved += stale.length;
      for (;;) {
        const fresh = await opts.outbox.readNew(stream, group, opts.consumer, batchSize);
        await publish(fresh);
        moved += fresh.length;
        if (fresh.length < batchSize) break;
      }
    }
    // Relay time, not domain time: trimming is housekeeping, never part of a decision.
    if (performance.now() - lastTrim >= trimEveryMs) {
      lastTrim = performance.now();
      for (const stream of await opts.outbox.streams()) await opts.outbox.trim(stream, group);
    }
    return moved;
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      opts.logger.info('relay started', { consumer: opts.consumer, group });
      loop = (async () => {
        while (running) {
          let moved = 0;
          try {
            moved = await runOnce();
          } catch (err) {
            // Nothing was acknowledged for the failed batch: the next pass (or another relay,
            // after minIdleMs) delivers it again.
            opts.logger.warn('relay pass failed; will retry', { error: (err as Error).message });
          }
          if (moved === 0 && running) await new Promise((r) => setTimeout(r, idleWaitMs));
        }
      })();
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
