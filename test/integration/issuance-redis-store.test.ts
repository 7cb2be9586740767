// The store contract suite on a real Redis, each test under its own key prefix.
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { ISSUANCE_REDIS_OPTIONS } from '../../issuance/open-store.ts';
import { RedisIssuanceStore } from '../../issuance/state/redis.ts';
import { storeContract } from '../../issuance/state/store.contract.ts';
import { deleteByPrefix } from '../../issuance/testing/redis-cleanup.ts';
import { describeWithService, serviceUrl, uniqueName } from '../services.ts';

describeWithService('REDIS_URL', 'redis issuance store', () => {
  // The client the service runs on (open-store.ts), so the contract holds for what production uses.
  const redis = new Redis(serviceUrl('REDIS_URL')!, { ...ISSUANCE_REDIS_OPTIONS, lazyConnect: true });
  afterAll(() => redis.quit());

  storeContract('redis', async () => {
    const prefix = `${uniqueName('qgtest')}:`;
    return {
      store: new RedisIssuanceStore({ redis, prefix }),
      cleanup: () => deleteByPrefix(redis, prefix),
    };
  });
});
