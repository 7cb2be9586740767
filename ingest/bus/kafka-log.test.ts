import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { HandleBatchFailed } from './kafka-batcher.ts';
import { kafkaError, kafkaLogCreator } from './kafka-log.ts';

const { logLevel } = kafkajs;

function capture() {
  const lines: { level: string; msg: string; kafkaNamespace?: string }[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as (typeof lines)[number]) });
  return { lines, log: kafkaLogCreator(logger)(logLevel.DEBUG) };
}

const entry = (level: number, message: string, extra: Record<string, unknown> = {}) => ({
  namespace: 'Connection', level, label: 'X', log: { timestamp: 't', logger: 'kafkajs', message, ...extra },
});

describe('kafkajs logs through our logger', () => {
  it('keeps errors and warnings at their level, and lifecycle chatter at debug', () => {
    const { lines, log } = capture();
    log(entry(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded'));
    log(entry(logLevel.WARN, 'Crash: KafkaJSConnectionError'));
    log(entry(logLevel.INFO, 'Consumer has joined the group'));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'kafkajs: Crash: KafkaJSNumberOfRetriesExceeded'],
      ['warn', 'kafkajs: Crash: KafkaJSConnectionError'],
      ['debug', 'kafkajs: Consumer has joined the group'],
    ]);
    expect(lines[0]!.kafkaNamespace).toBe('Connection');
  });

  it('turns the expected rebalance error of a heartbeat into debug', () => {
    const { lines, log } = capture();
    log(entry(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', { error: 'The group is rebalancing, so a rejoin is needed' }));
    expect(lines.map((l) => l.level)).toEqual(['debug']);
  });

  it('logs a rejected handleBatch once (the bus does), not once per partition from kafkajs', () => {
    const { lines, log } = capture();
    const failed = new HandleBatchFailed(new Error('store down'));
    log(entry(logLevel.ERROR, 'Error when calling eachBatch', { error: failed, stack: failed.stack }));
    log(entry(logLevel.ERROR, 'Error when calling eachBatch', { error: new TypeError('x is not a function') }));
    expect(lines.map((l) => l.level)).toEqual(['debug', 'error']);
  });

  it('wraps kafkajs errors with retryable taken from kafkajs', () => {
    expect(kafkaError('publishing', Object.assign(new Error('leader not available'), { retriable: true })).retryable).toBe(true);
    const fatal = kafkaError('publishing', Object.assign(new Error('record too large'), { retriable: false }));
    expect(fatal.retryable).toBe(false);
    expect(fatal.message).toBe('kafka: publishing failed: record too large');
    expect(fatal.code).toBe('UNAVAILABLE');
  });
});
