// What runs after ingest: rules, graph and forest models plug in here (decisions.ndjson,
// flags.json). The ingester calls every processor, in order, with the events of a batch that were
// stored for the first time, after the store write succeeded and before the batch is acknowledged.
import type { QuanguardEvent } from '../core/events.ts';

export interface EventProcessor {
  readonly name: string;
  /**
   * Called once per batch with the newly stored events, in bus order. A rejection makes the bus
   * deliver the batch again; those events are then duplicates and are not handed over again, so a
   * processor persists its own results keyed by eventId (decisions_v1 is) and treats a failure as
   * the exception it is. A crash between the store write and this call leaves events stored but
   * unprocessed: a processor that must see every event reconciles at start (events without a
   * decision) instead of relying on redelivery, as the rules do (rules/warm-start.ts). Calls never overlap, even when several consumers
   * ingest at once (the ingester serialises them), so a processor needs no locking of its own.
   */
  process(events: readonly QuanguardEvent[]): Promise<void>;
  /** Called once when a replay or a shutdown ends: flush, and write outputs under `outDir` if given. */
  finish?(outDir?: string): Promise<void>;
}

/** Runs processors in order; the first failure stops the chain and is reported by name. */
export async function runProcessors(processors: readonly EventProcessor[], events: readonly QuanguardEvent[]): Promise<void> {
  if (events.length === 0) return;
  for (const p of processors) {
    try {
      await p.process(events);
    } catch (err) {
      throw new Error(`processor "${p.name}" failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
  }
}

/**
 * Wraps processors so their `process` calls run one batch after another. The ingester shares one
 * wrapped list between its consumers: concurrent calls into a processor with held state (the rules'
 * reorder queue) lost and repeated events.
 */
export function serialProcessors(processors: readonly EventProcessor[]): EventProcessor[] {
  let queue: Promise<unknown> = Promise.resolve();
  return processors.map((p) => ({
    name: p.name,
    process(events) {
      const run = queue.then(() => p.process(events));
      queue = run.catch(() => undefined);
      return run;
    },
    ...(p.finish ? { finish: (outDir?: string) => queue.then(() => p.finish!(outDir)) } : {}),
  }));
}

export async function finishProcessors(processors: readonly EventProcessor[], outDir?: string): Promise<void> {
  for (const p of processors) await p.finish?.(outDir);
}
