// Builds the @clickhouse/client for either backend. The same SQL runs on both: embedded ClickHouse
// in-process through chdb (the default, data on disk so a restart keeps it) or a ClickHouse server
// when CLICKHOUSE_URL is set.
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { Config } from '../../core/config.ts';
import { ThreadedChdbConnection } from './chdb-worker.ts';

export type StoreConfig = Config['clickhouse'];

export interface StoreClient {
  client: ClickHouseClient;
  backend: 'chdb' | 'clickhouse';
  /** chdb only: whether the engine runs on its own worker thread or on the main thread. */
  thread?: 'worker' | 'main';
  /** Where the data lives, for the start log: a path or a URL without credentials. */
  location: string;
}

export function isEmbedded(cfg: StoreConfig): cfg is Extract<StoreConfig, { embeddedPath: string }> {
  return 'embeddedPath' in cfg;
}

export function createStoreClient(cfg: StoreConfig): StoreClient {
  if (isEmbedded(cfg)) {
    // chdb binds one data directory per process: a second, different path throws. Tests share one
    // path (':memory:') and isolate by database name.
    // Default: on a worker thread (./chdb-worker.ts says why); QUANGUARD_CHDB_THREAD=main runs it here.
    const thread = cfg.thread ?? 'worker';
    const connection = thread === 'worker' ? new ThreadedChdbConnection(cfg.embeddedPath) : createChdbConnection({ path: cfg.embeddedPath });
    // The connection hook is marked experimental upstream and absent from the client's public
    // option types; the cast is confined here.
    const client = createClient({ connection } as unknown as Parameters<typeof createClient>[0]);
    return { client, backend: 'chdb', thread, location: cfg.embeddedPath };
  }
  const client = createClient({
    url: cfg.url,
    username: cfg.username,
    password: cfg.password,
    // Below the server's default keep-alive timeout (3 s) so a reused socket is never half-closed.
    keep_alive: { idle_socket_ttl: 2_500 },
    request_timeout: 60_000,
  });
  return { client, backend: 'clickhouse', location: redactUrl(cfg.url) };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable CLICKHOUSE_URL)';
  }
}
