import { RedisFeatureStore } from '../../rules/features/redis.ts';
import { featureStoreContract } from '../../rules/features/store.contract.ts';
import { describeWithService, serviceUrl, uniqueName } from '../services.ts';

describeWithService('REDIS_URL', 'RedisFeatureStore', () => {
  featureStoreContract(async () => new RedisFeatureStore({ url: serviceUrl('REDIS_URL')!, prefix: uniqueName('qgtest') }));
});
