// Test helpers: one chdb data directory per process (':memory:', shared), one database per test.
import { silentLogger } from '../../core/logger.ts';
import { uniqueName } from '../../test/services.ts';
import { createAnalyticsStore, type AnalyticsStore } from '../store/analytics-store.ts';
import type { StoreConfig } from '../store/client.ts';

/** Embedded unless CLICKHOUSE_URL is set, so the same suite runs against a server too. */
export function testStoreConfig(database = uniqueName('qg_test')): StoreConfig {
  const url = process.env.CLICKHOUSE_URL;
  return url ? { url, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '', database } : { embeddedPath: ':memory:', database };
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
