// Chooses the hot-state store from config, explicitly: Redis when REDIS_URL is set, otherwise the
// embedded memory store (and the caller is told which, so nobody runs production on memory unawares).
import { Redis } from 'ioredis';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { MemoryIssuanceStore } from './state/memory.ts';
import { RedisIssuanceStore } from './state/redis.ts';
import type { IssuanceStore } from './state/store.ts';

export function openIssuanceStore(config: Pick<Config, 'redis'>, clock: Clock, prefix = 'qg:'): IssuanceStore {
  if (!config.redis) return new MemoryIssuanceStore(clock);
  const redis = new Redis(config.redis.url, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
  return new RedisIssuanceStore({ redis, prefix, ownsClient: true });
}
