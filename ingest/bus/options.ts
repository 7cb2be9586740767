// Checks shared by both buses, so a bad subscription fails the same way on either backend, up front,
// with a message that says what to change.
import type { OutgoingMessage, SubscribeOptions } from '../../core/bus.ts';
import { invalid } from '../../core/errors.ts';

export const SUBSCRIBE_DEFAULTS = { maxBatchSize: 1000, maxWaitMs: 200, fromBeginning: true } as const;

export interface CheckedSubscribe extends SubscribeOptions {
  maxBatchSize: number;
  maxWaitMs: number;
  fromBeginning: boolean;
}

export function checkSubscribe(opts: SubscribeOptions): CheckedSubscribe {
  if (typeof opts.topic !== 'string' || opts.topic.length === 0) throw invalid('topic', 'must be a non-empty string');
  if (typeof opts.groupId !== 'string' || opts.groupId.length === 0) throw invalid('groupId', 'must be a non-empty string');
  if (typeof opts.handleBatch !== 'function') throw invalid('handleBatch', 'must be a function returning a promise');
  const maxBatchSize = opts.maxBatchSize ?? SUBSCRIBE_DEFAULTS.maxBatchSize;
  const maxWaitMs = opts.maxWaitMs ?? SUBSCRIBE_DEFAULTS.maxWaitMs;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw invalid('maxBatchSize', 'must be an integer of at least 1');
  if (!Number.isInteger(maxWaitMs) || maxWaitMs < 0) throw invalid('maxWaitMs', 'must be an integer number of milliseconds, 0 or more');
  return { ...opts, maxBatchSize, maxWaitMs, fromBeginning: opts.fromBeginning ?? SUBSCRIBE_DEFAULTS.fromBeginning };
}

export function checkPublish(topic: string, messages: OutgoingMessage[]): void {
  if (typeof topic !== 'string' || topic.length === 0) throw invalid('topic', 'must be a non-empty string');
  if (!Array.isArray(messages)) throw invalid('messages', 'must be an array');
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (typeof m?.key !== 'string') throw invalid(`messages.${i}.key`, 'must be a string (the partition key)');
    if (typeof m.value !== 'string') throw invalid(`messages.${i}.value`, 'must be a string');
  }
}

/** Exponential backoff after a failed batch: never a tight loop, never more than maxMs. */
export function backoffMs(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 20));
}
