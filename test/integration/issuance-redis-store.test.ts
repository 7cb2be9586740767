// The store contract suite on a real Redis, each test under its own key prefix.
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisIssuanceStore } from '../../issuance/state/redis.ts';
import { storeContract } from '../../issuance/state/store.contract.ts';
import { describeWithService, serviceUrl, uniqueName } from '../services.ts';

describeWithService('REDIS_URL', 'redis issuance store', () => {
  const redis = new Redis(serviceUrl('REDIS_URL')!, { enableAutoPipelining: true, lazyConnect: true });
  afterAll(() => redis.quit());

  storeContract('redis', async () => {
    const prefix = `${uniqueName('qgtest')}:`;
    return {
      store: new RedisIssuanceStore({ redis, prefix }),
      cleanup: () => deleteByPrefix(redis, prefix),
    };
  });
});

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}
