// Embedded ClickHouse's child process dies (SIGKILL here, as the OOM killer sends it) and the
// store carries on: the child is started again on the same data path, the calls it had in flight
// fail with a retryable error, the ingester's redelivery stores every event exactly once, and a
// child that keeps dying ends in a loud, final failure instead of a restart loop. Each test has its
// own data directory, so its own child and its own count of deaths.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { Rng } from '../../core/rng.ts';
import { uniqueName, waitFor } from '../../test/services.ts';
import { createEmbeddedBus } from '../bus/embedded.ts';
import { startIngest } from '../ingester.ts';
import { keyOfLine } from '../message-key.ts';
import { addOutcome, emptyOutcome } from '../outcome.ts';
import { generateEvents } from '../testing/events.ts';
import { createAnalyticsStore, type AnalyticsStore } from './analytics-store.ts';
import { CHDB_RESTART, RemoteChdbConnection, chdbChildPid, chdbHostStatus } from './chdb-worker.ts';
import { EVENT_TABLES } from './rows.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qg-chdb-restart-'));
  dirs.push(dir);
  return join(dir, 'clickhouse');
}

type Entry = { level: string; msg: string } & Record<string, unknown>;

function capturingLogger(): { logger: Logger; entries: Entry[] } {
  const entries: Entry[] = [];
  return { logger: createLogger({ level: 'debug', write: (line) => entries.push(JSON.parse(line) as Entry) }), entries };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const count = z.object({ n: z.number(), ids: z.number() });

describe('embedded ClickHouse child process that dies', () => {
  it('is restarted on the same data path; an ingest stream killed mid-insert stores every event exactly once', async () => {
    const path = dataPath();
    const { logger, entries } = capturingLogger();
    const store = createAnalyticsStore({ embeddedPath: path, database: uniqueName('qg_restart'), thread: 'process' }, logger);
    await store.migrate();
    const bus = createEmbeddedBus({ partitions: 2, retryBackoff: { initialMs: 20, maxMs: 500 } });
    const N = 30_000;
    const events = generateEvents(new Rng('chdb-restart'), N, { merchants: 100 });
    const topic = uniqueName('events');
    await bus.publish(topic, events.map((e) => JSON.stringify(e)).map((value) => ({ key: keyOfLine(value), value })));

    // The fourth insert of the stream is in flight when the child is SIGKILLed: polled until the
    // child has a call, and until then the test sends none of its own, so the calls in flight are
    // the ingester's (this insert, and a sibling table's insert of the same stage if there is one).
    let inserts = 0;
    let killed: number | undefined;
    const killing: AnalyticsStore = {
      ...store,
      insert(table, rows) {
        const p = store.insert(table, rows);
        if (++inserts !== 4) return p;
        p.catch(() => undefined); // awaited below, after the kill
        return (async () => {
          await waitFor(() => chdbHostStatus('process', path)!.callsInFlight > 0, { intervalMs: 1, what: 'the insert in flight' });
          killed = chdbChildPid(path)!;
          process.kill(killed, 'SIGKILL');
          return p;
        })();
      },
    };
    const total = emptyOutcome();
    const sub = await startIngest({ bus, store: killing, logger, topic, deadLetterTopic: uniqueName('dlq'), groupId: uniqueName('ingest'), maxBatchSize: 10_000, maxWaitMs: 20, onBatch: (o) => addOutcome(total, o) });
    try {
      const tables = [...new Set(Object.values(EVENT_TABLES))];
      const stored = async () => {
        let rows = 0;
        let ids = 0;
        for (const t of tables) {
          const [c] = await store.query(`SELECT count() AS n, uniqExact(eventId) AS ids FROM {{db}}.${t}`, {}, count);
          rows += c!.n;
          ids += c!.ids;
        }
        return { rows, ids };
      };
      // No query of the test's own until the kill, so the call in flight then is the insert.
      await waitFor(() => killed !== undefined, { timeoutMs: 60_000, what: 'the kill' });
      // Queries fail while the child restarts (retryable); waitFor keeps polling through them.
      await waitFor(async () => total.accepted + total.duplicate >= N && (await stored()).ids === N, { timeoutMs: 90_000, what: `all ${N} events stored` });
      expect(await stored()).toEqual({ rows: N, ids: N });
      for (const t of tables) {
        const [c] = await store.query(`SELECT count() AS n, uniqExact(eventId) AS ids FROM {{db}}.${t}`, {}, count);
        expect(c!.n, `${t}: no eventId twice`).toBe(c!.ids);
      }
      const [letters] = await store.query('SELECT count() AS n, 0 AS ids FROM {{db}}.dead_letters_v1', {}, count);
      expect(letters!.n).toBe(0);
      // The killed batch came again: the rows its earlier inserts had stored were recognised as
      // duplicates, the rest accepted (its failed pass reported nothing).
      expect(total.duplicate).toBeGreaterThan(0);
      expect(total.accepted + total.duplicate).toBe(N);

      // The old child is gone, a new one holds the same directory, and it answers.
      expect(killed).toBeTypeOf('number');
      expect(isAlive(killed!)).toBe(false);
      const now = chdbChildPid(path);
      expect(now).not.toBe(killed);
      expect(isAlive(now!)).toBe(true);
      expect(await store.ping()).toBe(true);
      const death = entries.find((e) => e.msg.includes('stopped; restarting'));
      expect(death).toMatchObject({ level: 'error', exit: 'SIGKILL', paths: [path] });
      expect(death!.callsInFlight).toBeGreaterThanOrEqual(1);
      expect(entries.some((e) => e.level === 'warn' && e.msg.includes('restarted'))).toBe(true);
      expect(entries.some((e) => e.msg.includes('batch failed; it will be delivered again'))).toBe(true);
    } finally {
      await sub.stop();
      await bus.close();
      await store.close();
    }
  });

  it('fails a call in flight with a retryable error; a call made while it restarts waits and sees the data already stored', async () => {
    const path = dataPath();
    const { logger } = capturingLogger();
    const client = createClient({ connection: new RemoteChdbConnection(path, 'process', { logger }) } as unknown as Parameters<typeof createClient>[0]);
    try {
      await client.command({ query: 'CREATE DATABASE d' });
      await client.command({ query: 'CREATE TABLE d.t (id String) ENGINE = MergeTree ORDER BY id' });
      await client.insert({ table: 'd.t', values: [{ id: 'a' }, { id: 'b' }], format: 'JSONEachRow' });
      const first = chdbChildPid(path)!;
      const slow = client.query({ query: 'SELECT sleep(3)', format: 'JSONEachRow' });
      await waitFor(() => chdbHostStatus('process', path)!.callsInFlight > 0, { intervalMs: 1 });
      process.kill(first, 'SIGKILL');
      const err = await slow.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect((err as Error).message).toMatch(/process stopped \(SIGKILL\) while this call was in flight; it is being restarted, retry/);
      // Made while no child runs: it waits for the restart instead of failing.
      expect(chdbHostStatus('process', path)!.state).toBe('down');
      const rs = await client.query({ query: 'SELECT groupArray(id) AS ids FROM (SELECT id FROM d.t ORDER BY id)', format: 'JSONEachRow' });
      expect(await rs.json()).toEqual([{ ids: ['a', 'b'] }]);
      expect(chdbChildPid(path)).not.toBe(first);
      expect(chdbHostStatus('process', path)).toEqual({ state: 'up', callsInFlight: 0 });
    } finally {
      await client.close();
    }
  });

  it(`stops restarting a child that dies ${CHDB_RESTART.maxDeaths} times within a minute, and fails every call with a non-retryable error that says so`, async () => {
    const path = dataPath();
    const { logger, entries } = capturingLogger();
    const client: ClickHouseClient = createClient({ connection: new RemoteChdbConnection(path, 'process', { logger }) } as unknown as Parameters<typeof createClient>[0]);
    await client.command({ query: 'SELECT 1' });
    const killed: number[] = [];
    let waiting: Promise<unknown> | undefined;
    for (let i = 0; i < CHDB_RESTART.maxDeaths; i++) {
      // Each new child is killed as soon as it exists: one that dies right after it starts.
      const pid = await waitFor(() => {
        const p = chdbChildPid(path);
        return p !== undefined && !killed.includes(p) ? p : undefined;
      }, { intervalMs: 5, what: `child ${i + 1}` });
      killed.push(pid);
      process.kill(pid, 'SIGKILL');
      // A call made while the engine is down waits for the restart, and must not hang when none comes.
      if (i === 1) waiting = client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then(() => undefined, (e: unknown) => e);
    }
    const err = await waiting;
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
    expect((err as Error).message).toMatch(new RegExp(`process stopped ${CHDB_RESTART.maxDeaths} times within 60 s \\(last: SIGKILL\\) and is not restarted again`));
    expect((err as Error).message).toContain(path);
    expect(chdbHostStatus('process', path)!.state).toBe('stopped');
    // Later calls fail at once with the same error; no child was started after the last death.
    await expect(client.query({ query: 'SELECT 1' })).rejects.toBe(err);
    expect(chdbChildPid(path)).toBe(killed.at(-1));
    for (const pid of killed) expect(isAlive(pid)).toBe(false);
    const errors = entries.filter((e) => e.level === 'error');
    expect(errors.filter((e) => e.msg.includes('stopped; restarting'))).toHaveLength(CHDB_RESTART.maxDeaths - 1);
    expect(errors.at(-1)).toMatchObject({ msg: expect.stringContaining('keeps stopping; not restarting it again'), exit: 'SIGKILL', deathsWithinWindow: CHDB_RESTART.maxDeaths });
    // The restarts backed off: 100, 200, 400, 800 ms.
    expect(errors.slice(0, -1).map((e) => e.restartInMs)).toEqual([100, 200, 400, 800]);
    await client.close();
  });
});
