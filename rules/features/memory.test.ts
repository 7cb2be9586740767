import { describe } from 'vitest';
import { MemoryFeatureStore } from './memory.ts';
import { featureStoreContract } from './store.contract.ts';

describe('MemoryFeatureStore', () => {
  featureStoreContract(async () => new MemoryFeatureStore());
});
