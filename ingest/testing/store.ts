// Test helpers: one chdb data directory per process (':memory:', shared), one database per test.
import { silentLogger } from '../../core/logger.ts';
import { uniqueName } from '../../test/services.ts';
import { createAnalyticsStore, type AnalyticsStore } from '../store/analytics-store.ts';
import type { StoreConfig } from '../store/client.ts';

/** Embedded unless CLICKHOUSE_URL is set, so the same suite runs against a server too. */
export function testStoreConfig(database = uniqueName('qg_test')): StoreConfig {
  const url = process.env.CLICKHOUSE_URL;
  // QG_TEST_CHDB_THREAD=main: the same suites with embedded ClickHouse on the main thread
  // (ingest/store/store-main-thread.test.ts); by default it runs on its worker thread, as in service.
  const thread = process.env.QG_TEST_CHDB_THREAD === 'main' ? 'main' : 'worker';
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
