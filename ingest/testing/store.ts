// Test helpers: one chdb data directory per process (':memory:', shared), one database per test.
import { silentLogger } from '../../core/logger.ts';
import { uniqueName } from '../../test/services.ts';
import { createAnalyticsStore, type AnalyticsStore } from '../store/analytics-store.ts';
import { DEFAULT_CHDB_PLACEMENT, type ChdbPlacement, type StoreConfig } from '../store/client.ts';

/** Where the suites run embedded ClickHouse: QG_TEST_CHDB_THREAD, else the service's default. */
export function testChdbPlacement(): ChdbPlacement {
  const v = process.env.QG_TEST_CHDB_THREAD;
  return v === 'main' || v === 'worker' || v === 'process' ? v : DEFAULT_CHDB_PLACEMENT;
}

/** Embedded unless CLICKHOUSE_URL is set, so the same suite runs against a server too. */
export function testStoreConfig(database = uniqueName('qg_test')): StoreConfig {
  const url = process.env.CLICKHOUSE_URL;
  // QG_TEST_CHDB_THREAD=main|worker: the same suites with embedded ClickHouse on the main thread
  // or a worker thread (ingest/store/store-main-thread.test.ts, store-worker-thread.test.ts); by
  // default it runs where the service runs it (a child process).
  const thread = testChdbPlacement();
  return url ? { url, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '', database } : { embeddedPath: ':memory:', database, thread };
}

export interface TestStore extends AnalyticsStore {
  /** Drops the test database and closes the client. */
  dispose(): Promise<void>;
}

export async function openTestStore(database?: string): Promise<TestStore> {
  const store = createAnalyticsStore(testStoreConfig(database), silentLogger);
  await store.migrate();
  return Object.assign(store, {
    async dispose() {
      await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.database}` });
      await store.close();
    },
  });
}
