// Chooses the hot-state store from config, explicitly: Redis when REDIS_URL is set, otherwise the
// embedded memory store kept in `$QUANGUARD_DATA_DIR/hot` (a journal replayed at start), and the
// caller is told which, so nobody runs production on memory unawares.
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { MemoryIssuanceStore } from './state/memory.ts';
import { RedisIssuanceStore } from './state/redis.ts';
import type { IssuanceStore } from './state/store.ts';

/** Where the embedded hot state (issuance and lists) is journaled. */
export const hotStateDir = (config: Pick<Config, 'dataDir'>): string => join(config.dataDir, 'hot');

export function openIssuanceStore(config: Pick<Config, 'redis' | 'dataDir'>, clock: Clock, prefix = 'qg:'): IssuanceStore {
  if (!config.redis) return MemoryIssuanceStore.open(hotStateDir(config), clock);
  const redis = new Redis(config.redis.url, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
  return new RedisIssuanceStore({ redis, prefix, ownsClient: true });
}
