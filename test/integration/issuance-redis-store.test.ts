// The store contract suite on a real Redis, each test under its own key prefix.
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisIssuanceStore } from '../../issuance/state/redis.ts';
import { storeContract } from '../../issuance/state/store.contract.ts';
import { deleteByPrefix } from '../../issuance/testing/redis-cleanup.ts';
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
