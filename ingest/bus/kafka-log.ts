// kafkajs logs through our logger, so its lines carry our JSON format and level filter. Its INFO
// lines are lifecycle chatter (joined, starting, stopped): they go to debug; warnings and errors
// (crash, restart, rebalance failures) keep their level.
import kafkajs from 'kafkajs';
import type { logCreator } from 'kafkajs';
import type { Logger } from '../../core/logger.ts';
import { AppError } from '../../core/errors.ts';

const { logLevel } = kafkajs;

// Lines kafkajs logs loudly that are expected here:
// - every rebalance makes the broker answer heartbeats with REBALANCE_IN_PROGRESS, which the
//   Connection logs as an error before the Runner rejoins (and warns about it itself);
// - the idempotent producer warns when its retries are bounded: we bound them on purpose so a
//   publish fails with a retryable error instead of hanging, and consumers dedup by eventId;
// - a rejected handleBatch: kafkajs logs it once per partition with its stack, and again when its
//   retries run out; the bus logs it once per batch (kafka-batcher.ts) and once per restart
//   (kafka-subscription.ts), and the LeaveGroup of the restart meets an already forgotten member.
const EXPECTED = [/group is rebalancing/i, /Limiting retries for the idempotent producer/, /HandleBatchFailed|handleBatch rejected/, /coordinator is not aware of this member/, /Restarting the consumer/];

function isExpected(message: string, extra: Record<string, unknown>): boolean {
  const texts = [message, extra.error, extra.stack].map((v) => (v instanceof Error ? `${v.name} ${v.message}` : typeof v === 'string' ? v : ''));
  return EXPECTED.some((re) => texts.some((t) => re.test(t)));
}

export function kafkaLogCreator(logger: Logger): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, timestamp: _t, logger: _l, ...extra } = log as { message: string; timestamp?: string; logger?: string } & Record<string, unknown>;
    const fields = { kafkaNamespace: namespace, ...extra };
    const msg = `kafkajs: ${message}`;
    const expected = isExpected(message, extra);
    if (expected) logger.debug(msg, fields);
    else if (level === logLevel.ERROR) logger.error(msg, fields);
    else if (level === logLevel.WARN) logger.warn(msg, fields);
    else logger.debug(msg, fields);
  };
}

/** Wraps a kafkajs failure; `retryable` follows kafkajs's own `retriable` verdict. */
export function kafkaError(what: string, err: unknown): AppError {
  const e = err as { message?: string; retriable?: boolean; name?: string } | undefined;
  return new AppError('UNAVAILABLE', `kafka: ${what} failed: ${e?.message ?? String(err)}`, {
    retryable: e?.retriable !== false && e?.name !== 'KafkaJSNonRetriableError',
    cause: err,
  });
}
