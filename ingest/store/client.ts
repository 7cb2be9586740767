// Builds the @clickhouse/client for either backend. The same SQL runs on both: embedded ClickHouse
// in-process through chdb (the default, data on disk so a restart keeps it) or a ClickHouse server
// when CLICKHOUSE_URL is set.
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { RemoteChdbConnection } from './chdb-worker.ts';

export type StoreConfig = Config['clickhouse'];
export type ChdbPlacement = 'process' | 'worker' | 'main';
export const DEFAULT_CHDB_PLACEMENT: ChdbPlacement = 'process';

export interface StoreClient {
  client: ClickHouseClient;
  backend: 'chdb' | 'clickhouse';
  /** chdb only: where the engine runs: a worker thread, a child process or the main thread. */
  thread?: ChdbPlacement;
  /** Where the data lives, for the start log: a path or a URL without credentials. */
  location: string;
}

export function isEmbedded(cfg: StoreConfig): cfg is Extract<StoreConfig, { embeddedPath: string }> {
  return 'embeddedPath' in cfg;
}

/** `logger`: where a restart of embedded ClickHouse's child process or thread is logged (./chdb-worker.ts). */
export function createStoreClient(cfg: StoreConfig, logger?: Logger): StoreClient {
  if (isEmbedded(cfg)) {
    // chdb binds one data directory per process: a second, different path throws (in the child
    // placement each path gets its own child). Tests share one path (':memory:') and isolate by
    // database name.
    // Default: in a child process at low priority (./chdb-worker.ts says why);
    // QUANGUARD_CHDB_THREAD=worker runs it on a worker thread of this process, =main on this thread.
    const thread = cfg.thread ?? DEFAULT_CHDB_PLACEMENT;
    const connection = thread === 'main' ? createChdbConnection({ path: cfg.embeddedPath }) : new RemoteChdbConnection(cfg.embeddedPath, thread, { nice: cfg.nice, logger });
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
