// `npm start` wiring: health, readiness, ingest and Prometheus metrics on one engine (embedded bus
// and chdb on a temporary path, or the real services when their env vars are set).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../core/bus.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { Rng } from '../core/rng.ts';
import { uniqueName, waitFor } from '../test/services.ts';
import { generateEvents } from '../ingest/testing/events.ts';
import { keyOfLine } from '../ingest/message-key.ts';
import { startEngine, type Engine } from './start.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-start-'));
let engine: Engine | undefined;
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('startEngine', () => {
  it('logs its backends, serves /healthz, /readyz and /metrics, and ingests from the events topic', async () => {
    const logs: string[] = [];
    const config = loadConfig({ ...process.env, PORT: '0', QUANGUARD_DATA_DIR: dir, CLICKHOUSE_DATABASE: uniqueName('qg_start'), KAFKA_TOPIC_PREFIX: uniqueName('qgstart'), QUANGUARD_REDIS_PREFIX: uniqueName('qgs').slice(0, 32) });
    engine = await startEngine(config, createLogger({ level: 'info', write: (l) => logs.push(l) }), { processMetrics: false });
    const first = JSON.parse(logs[0]!) as { msg: string };
    expect(first.msg).toMatch(/^backends: bus=(embedded|kafka) store=(chdb:\S+ \((worker thread|main thread|child process, nice \d+)\)|clickhouse:\S+) hot=(memory \(journal \S+\)|redis)$/);

    const base = `http://127.0.0.1:${engine.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', bus: 'ok' } });

    const events = generateEvents(new Rng('start-test'), 500, { merchants: 10 });
    const claims = events.filter((e) => e.type === 'claim').length;
    await engine.bus.publish(TOPICS.events, [...events.map((e) => JSON.stringify(e)), '{"broken":'].map((value) => ({ key: keyOfLine(value), value })));
    const metric = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    const text = await waitFor(
      async () => {
        const t = await (await fetch(`${base}/metrics`)).text();
        return metric(t, /quanguard_ingest_events_total\{type="claim",outcome="accepted"\} (\d+)/) === claims && metric(t, /quanguard_ingest_dead_letters_total\{field="\(line\)"\} (\d+)/) === 1 ? t : undefined;
      },
      { timeoutMs: 60_000, what: 'ingest metrics' },
    );
    expect(text).toMatch(/quanguard_ingest_batch_seconds_bucket/);
    expect(text).toMatch(/quanguard_ingest_consumer_lag \d+/);

    await engine.close();
    engine = undefined;
    expect(logs.some((l) => l.includes('"msg":"quanguard started"'))).toBe(true);
  });
});
