// The worker-thread chdb Connection keeps the @clickhouse/client contract: rows and results round
// trip, engine errors arrive as ClickHouseError with the engine's code, settings and bound
// parameters reach the engine, and a closed connection refuses calls with a clear error.
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../test/services.ts';
import { chdbConnectionContract } from './chdb-connection.contract.ts';
import { ThreadedChdbConnection } from './chdb-worker.ts';

describe('ThreadedChdbConnection (embedded ClickHouse on a worker thread)', () => {
  let client: ClickHouseClient;
  const db = uniqueName('qg_thread');

  beforeAll(async () => {
    client = createClient({ connection: new ThreadedChdbConnection(':memory:') } as unknown as Parameters<typeof createClient>[0]);
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await client.command({ query: `CREATE TABLE ${db}.t (id String, fen Int64, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id` });
  });
  afterAll(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${db}` });
    await client.close();
  });

  it('inserts rows and reads them back, also through bound parameters', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({ id: `evt_${String(i).padStart(5, '0')}`, fen: i * 100, at: '2026-11-26 10:00:00.000' }));
    await client.insert({ table: `${db}.t`, values: rows, format: 'JSONEachRow' });
    const rs = await client.query({ query: `SELECT count() AS n, sum(fen) AS s FROM ${db}.t WHERE fen >= {min:Int64}`, query_params: { min: 100 }, format: 'JSONEachRow' });
    const [sum] = (await rs.json()) as { n: number | string; s: number | string }[];
    expect([Number(sum!.n), Number(sum!.s)]).toEqual([2499, (2499 * 2500 / 2) * 100]);
    const one = await client.query({ query: `SELECT id, fen FROM ${db}.t ORDER BY id LIMIT 2`, format: 'JSONCompactEachRow' });
    expect(((await one.json()) as [string, number | string][]).map(([id, fen]) => [id, Number(fen)])).toEqual([['evt_00000', 0], ['evt_00001', 100]]);
  });

  chdbConnectionContract(() => client, db, () => new ThreadedChdbConnection(':memory:'));
});
