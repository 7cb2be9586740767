// What every off-main-thread chdb Connection does, run by the worker-thread and the child-process
// tests: settings reach the engine, engine errors arrive as ClickHouseError with the engine's code,
// and a closed connection refuses calls with a clear error.
import { ClickHouseError, type ClickHouseClient } from '@clickhouse/client';
import { expect, it } from 'vitest';
import type { RemoteChdbConnection } from './chdb-worker.ts';

export function chdbConnectionContract(client: () => ClickHouseClient, db: string, openAnother: () => RemoteChdbConnection): void {
  it('passes per-call settings to the engine', async () => {
    const rs = await client().query({ query: `SELECT getSetting('max_threads') AS v`, format: 'JSONEachRow', clickhouse_settings: { max_threads: 3 } });
    expect(((await rs.json()) as { v: unknown }[]).map((r) => Number(r.v))).toEqual([3]);
  });

  it('turns an engine error into a ClickHouseError with its code', async () => {
    const err = await client().query({ query: `SELECT * FROM ${db}.no_such_table`, format: 'JSONEachRow' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClickHouseError);
    expect((err as ClickHouseError).code).toBe('60');
    expect((err as Error).message).toContain('no_such_table');
  });

  it('refuses calls after close with a clear error', async () => {
    const other = openAnother();
    await other.close();
    await expect(other.query({ query: 'SELECT 1' })).rejects.toThrow(/connection is closed/);
    expect(await other.ping()).toMatchObject({ success: false });
  });
}
