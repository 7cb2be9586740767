import { RedisListStore } from '../../rules/lists/redis.ts';
import { listStoreContract } from '../../rules/lists/lists.contract.ts';
import { describeWithService, serviceUrl, uniqueName } from '../services.ts';

describeWithService('REDIS_URL', 'RedisListStore', () => {
  listStoreContract(async () => new RedisListStore({ url: serviceUrl('REDIS_URL')!, prefix: uniqueName('qglist') }));
});
