// Embedded ClickHouse in a child process keeps the @clickhouse/client contract (rows and results
// round trip, engine errors arrive as ClickHouseError with the engine's code, bound parameters and
// settings reach the engine), runs in another process at the lowest priority, threads included,
// and a closed connection refuses calls.
import { readdirSync, readFileSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { uniqueName } from '../../test/services.ts';
import { chdbConnectionContract } from './chdb-connection.contract.ts';
import { CHILD_NICE, RemoteChdbConnection, chdbChildPid } from './chdb-worker.ts';

/** Niceness of every thread of a process (Linux /proc: field 19 of each task's stat). */
function threadNiceness(pid: number): { name: string; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), nice: Number(fields[16]) };
  });
}

describe('RemoteChdbConnection in a child process', () => {
  let client: ClickHouseClient;
  const db = uniqueName('qg_child');

  beforeAll(async () => {
    client = createClient({ connection: new RemoteChdbConnection(':memory:', 'process') } as unknown as Parameters<typeof createClient>[0]);
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await client.command({ query: `CREATE TABLE ${db}.t (id String, fen Int64, note String) ENGINE = MergeTree ORDER BY id` });
  });
  afterAll(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${db}` });
    await client.close();
  });

  it('inserts rows given as bytes or objects and reads them back, also through bound parameters', async () => {
    // A view into a larger buffer, as the decision sink hands its encoded rows over: only the view's rows go in.
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify([`evt_${String(i).padStart(5, '0')}`, i * 100, i % 2 ? '消费券 "q" \\ 😀' : '']) + '\n').join('');
    const whole = Buffer.from(`["evt_skip_a",1,""]\n${lines}["evt_skip_b",1,""]\n`);
    const start = whole.indexOf('\n') + 1;
    const view = whole.subarray(start, start + Buffer.byteLength(lines));
    await client.exec({ query: `INSERT INTO ${db}.t (id, fen, note) FORMAT JSONCompactEachRow`, values: (async function* () { yield view; })() as never });
    await client.insert({ table: `${db}.t`, values: [{ id: 'obj_1', fen: 7, note: 'x' }], format: 'JSONEachRow' });
    const rs = await client.query({ query: `SELECT count() AS n, sum(fen) AS s, countIf(note = {n:String}) AS odd FROM ${db}.t WHERE fen >= {min:Int64}`, query_params: { min: 1, n: '消费券 "q" \\ 😀' }, format: 'JSONEachRow' });
    const [sum] = (await rs.json()) as { n: number | string; s: number | string; odd: number | string }[];
    expect([Number(sum!.n), Number(sum!.s), Number(sum!.odd)]).toEqual([3000, (2999 * 3000 / 2) * 100 + 7, 1500]);
    const skipped = await client.query({ query: `SELECT count() AS n FROM ${db}.t WHERE id LIKE 'evt_skip%'`, format: 'JSONEachRow' });
    expect(((await skipped.json()) as { n: number | string }[]).map((r) => Number(r.n))).toEqual([0]);
  });

  it.runIf(process.platform === 'linux')('runs the engine in another process, every thread of it at the lowest priority', async () => {
    // Merges and inserts have run by now: ClickHouse's own threads exist.
    const pid = chdbChildPid();
    expect(pid).toBeTypeOf('number');
    expect(pid).not.toBe(process.pid);
    const threads = threadNiceness(pid!);
    expect(threads.length).toBeGreaterThan(5);
    // ClickHouse's memory sampler sets its own thread to the highest priority (it mostly sleeps).
    const others = threads.filter((t) => t.name !== 'MemoryWorker');
    expect(others.filter((t) => t.nice !== CHILD_NICE)).toEqual([]);
    expect(others.map((t) => t.name)).toEqual(expect.arrayContaining(['MergeMutate']));
  });

  chdbConnectionContract(() => client, db, () => new RemoteChdbConnection(':memory:', 'process'));
});

describe('embedded ClickHouse placement in the configuration', () => {
  it('defaults to a child process at niceness 19, and names a bad niceness', () => {
    expect(loadConfig({}).clickhouse).toMatchObject({ thread: 'process', nice: 19 });
    expect(loadConfig({ QUANGUARD_CHDB_THREAD: 'worker', QUANGUARD_CHDB_NICE: '5' }).clickhouse).toMatchObject({ thread: 'worker', nice: 5 });
    expect(() => loadConfig({ QUANGUARD_CHDB_NICE: '25' })).toThrow(/QUANGUARD_CHDB_NICE: must be 0-19/);
    expect(() => loadConfig({ QUANGUARD_CHDB_THREAD: 'fork' })).toThrow(/QUANGUARD_CHDB_THREAD/);
  });
});
