import { describe } from 'vitest';
import { listStoreContract } from './lists.contract.ts';
import { MemoryListStore } from './memory.ts';

describe('MemoryListStore', () => {
  listStoreContract(async () => new MemoryListStore());
});
