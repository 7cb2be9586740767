// Chooses the hot-state store from config, explicitly: Redis when REDIS_URL is set, otherwise the
// embedded memory store kept in `$QUANGUARD_DATA_DIR/hot` (a journal replayed at start), and the
// caller is told which, so nobody runs production on memory unawares.
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { MemoryIssuanceStore } from './state/memory.ts';
import { RedisIssuanceStore } from './state/redis.ts';
import type { IssuanceStore } from './state/store.ts';

/** Where the embedded hot state (issuance and lists) is journaled. */
export const hotStateDir = (config: Pick<Config, 'dataDir'>): string => join(config.dataDir, 'hot');

/**
 * The client the Redis store runs on. Auto-pipelining is off: ioredis keeps one auto-pipeline in
 * flight per client and starts the next only when every reply of the last one is back, so under
 * load Node waits while Redis runs the batch and Redis waits while Node builds the next one. A
 * plain client writes each command as it comes (Redis still reads them in batches off the socket)
 * and resolves each reply as it arrives, so both work at once (`npm run bench -- claim`; the
 * side-by-side runs are in the message of the commit that made this change).
 */
export const ISSUANCE_REDIS_OPTIONS: RedisOptions = { enableAutoPipelining: false, maxRetriesPerRequest: 3 };

export function openIssuanceStore(config: Pick<Config, 'redis' | 'dataDir'>, clock: Clock, prefix = 'qg:'): IssuanceStore {
  if (!config.redis) return MemoryIssuanceStore.open(hotStateDir(config), clock);
  const redis = new Redis(config.redis.url, ISSUANCE_REDIS_OPTIONS);
  return new RedisIssuanceStore({ redis, prefix, ownsClient: true });
}
