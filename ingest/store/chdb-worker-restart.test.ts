// Embedded ClickHouse's worker thread (QUANGUARD_CHDB_THREAD=worker) that ends between calls is
// started again on the same data path, and calls made meanwhile run on the new one. A thread that
// ends while chdb runs a call in it is not covered: chdb's addon then aborts the whole process
// (chdb-worker.ts), which is why the child process is the default placement. Its own test file,
// so its own process and its own data directory (chdb holds one per process).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { afterAll, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { RemoteChdbConnection, chdbHostStatus, terminateChdbThread } from './chdb-worker.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-chdb-thread-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('restarts a worker thread that ended between calls; a call made meanwhile waits and sees the stored rows', async () => {
  const entries: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => entries.push(JSON.parse(line) as Record<string, unknown>) });
  const path = join(dir, 'clickhouse');
  const client = createClient({ connection: new RemoteChdbConnection(path, 'worker', { logger }) } as unknown as Parameters<typeof createClient>[0]);
  try {
    await client.command({ query: 'CREATE DATABASE d' });
    await client.command({ query: 'CREATE TABLE d.t (id String) ENGINE = MergeTree ORDER BY id' });
    await client.insert({ table: 'd.t', values: [{ id: 'a' }], format: 'JSONEachRow' });
    expect(chdbHostStatus('worker')).toEqual({ state: 'up', callsInFlight: 0 });
    expect(await terminateChdbThread()).toBe(1);
    expect(chdbHostStatus('worker')!.state).toBe('down');
    await client.insert({ table: 'd.t', values: [{ id: 'b' }], format: 'JSONEachRow' });
    const rs = await client.query({ query: 'SELECT groupArray(id) AS ids FROM (SELECT id FROM d.t ORDER BY id)', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ ids: ['a', 'b'] }]);
    expect(entries.find((e) => String(e.msg).includes('thread stopped; restarting'))).toMatchObject({ level: 'error', exit: 'exit code 1', callsInFlight: 0, paths: [path] });
    expect(entries.some((e) => e.level === 'warn' && String(e.msg).includes('thread restarted'))).toBe(true);
  } finally {
    await client.close();
  }
});
