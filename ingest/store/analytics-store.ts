// AnalyticsStore: the project's one door to ClickHouse (embedded chdb or a server, same SQL).
// Reads are typed: bound parameters only, every row validated by the caller's zod schema.
// Every call passes the settings it depends on (./settings.ts explains the chdb session trap).
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { z } from 'zod';
import type { Logger } from '../../core/logger.ts';
import { createStoreClient, type ChdbPlacement, type StoreConfig } from './client.ts';
import { migrate } from './migrate.ts';
import type { EncodedRows } from './encoded-rows.ts';
import type { RowValues } from './rows.ts';
import { ENCODED_INSERT_SETTINGS_SQL, INSERT_SETTINGS_SQL, QUERY_SETTINGS } from './settings.ts';

export type QueryParams = Record<string, unknown>;

export interface AnalyticsStore {
  readonly backend: 'chdb' | 'clickhouse';
  /** chdb only: embedded ClickHouse in a child process (the default), on a worker thread or on the main thread. */
  readonly thread?: ChdbPlacement;
  /** A path or a URL without credentials, for logs. */
  readonly location: string;
  readonly database: string;
  /** The raw client, for benchmarks and migrations; application code uses query/insert. */
  readonly client: ClickHouseClient;
  /** Applies pending migrations; returns the versions applied now. */
  migrate(): Promise<string[]>;
  /**
   * Runs a SELECT with bound `{name:Type}` parameters; every row is parsed with `row`. `{{db}}` in
   * the SQL stands for this store's database (a validated identifier, never user input).
   */
  query<S extends z.ZodType>(sql: string, params: QueryParams, row: S): Promise<z.infer<S>[]>;
  /**
   * Inserts rows into `table` of this database in one block (one INSERT: atomic for a batch-sized
   * block). Rows are objects (every row carrying the first row's columns) or RowValues (value
   * arrays under one column list, ./rows.ts); already encoded lines go through `insertEncoded`.
   * Settings go in the statement's SETTINGS clause, never on the session.
   */
  insert(table: string, rows: readonly Record<string, unknown>[] | RowValues): Promise<void>;
  /** True when the store answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Inserts rows already encoded as JSONCompactEachRow lines (./encoded-rows.ts) into `table` of the
 * store's database in one block, the bytes sent as they are. A function beside the store rather
 * than a method of it: callers that wrap or fake `insert` (tests, the crash harness) keep working.
 */
export async function insertEncoded(store: Pick<AnalyticsStore, 'client' | 'database'>, table: string, rows: EncodedRows): Promise<void> {
  if (!TABLE_NAME.test(table)) throw new Error(`store: table "${table.slice(0, 64)}" must be a plain identifier`);
  if (rows.length === 0) return;
  for (const c of rows.columns) if (!TABLE_NAME.test(c)) throw new Error(`store: column "${c.slice(0, 64)}" must be a plain identifier`);
  const result = await store.client.exec({
    query: `INSERT INTO ${store.database}.${table} (${rows.columns.join(', ')}) SETTINGS ${ENCODED_INSERT_SETTINGS_SQL} FORMAT JSONCompactEachRow`,
    values: Readable.from([rows.body]),
  });
  result.stream.resume();
}

function isRowValues(rows: readonly Record<string, unknown>[] | RowValues): rows is RowValues {
  return Array.isArray((rows as { columns?: unknown }).columns);
}

export function createAnalyticsStore(cfg: StoreConfig, logger: Logger): AnalyticsStore {
  if (!TABLE_NAME.test(cfg.database)) throw new Error(`store: database "${cfg.database.slice(0, 64)}" must be a plain identifier`);
  const log = logger.child({ component: 'store' });
  const { client, backend, location, thread } = createStoreClient(cfg, log);
  const database = cfg.database;
  let closed = false;

  return {
    backend,
    thread,
    location,
    database,
    client,
    migrate: () => migrate(client, database, log),
    async query(sql, params, row) {
      const rs = await client.query({ query: sql.replaceAll('{{db}}', database), query_params: params, format: 'JSONEachRow', clickhouse_settings: { ...QUERY_SETTINGS } });
      const raw = (await rs.json()) as unknown[];
      return raw.map((r, i) => {
        const parsed = row.safeParse(r);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(`store: row ${i} of a query does not match its schema: ${issue?.path.join('.') || '(row)'} ${issue?.message ?? ''}`);
        }
        return parsed.data;
      });
    },
    async insert(table, rows) {
      if (!TABLE_NAME.test(table)) throw new Error(`store: table "${table.slice(0, 64)}" must be a plain identifier`);
      if (rows.length === 0) return;
      // JSONCompactEachRow under a column list: rows as arrays parse faster on both sides than
      // objects. The body is one JSON.stringify of the array of rows with its outer brackets cut
      // ("[a],[b]": ClickHouse takes a comma between rows), not a line per row: on a 50k-row
      // ingest batch the per-row strings were much of the ingester's garbage.
      let columns: readonly string[];
      let values: readonly (readonly unknown[])[];
      if (isRowValues(rows)) {
        columns = rows.columns;
        values = rows;
        for (const v of values) if (v.length !== columns.length) throw new Error(`store: a row of ${table} has ${v.length} values for ${columns.length} columns`);
      } else {
        // Every row must carry the first row's columns, in any order.
        columns = Object.keys(rows[0]!);
        values = rows.map((row) => columns.map((c) => row[c]));
      }
      for (const c of columns) if (!TABLE_NAME.test(c)) throw new Error(`store: column "${c.slice(0, 64)}" must be a plain identifier`);
      const result = await client.exec({
        query: `INSERT INTO ${database}.${table} (${columns.join(', ')}) SETTINGS ${INSERT_SETTINGS_SQL} FORMAT JSONCompactEachRow`,
        values: Readable.from([JSON.stringify(values).slice(1, -1)]),
      });
      result.stream.resume();
    },
    async ping() {
      if (closed) return false;
      try {
        const r = await client.ping();
        return r.success;
      } catch (err) {
        log.warn('store ping failed', { err: err as Error });
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

