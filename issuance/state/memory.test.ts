import { MemoryIssuanceStore } from './memory.ts';
import { storeContract } from './store.contract.ts';

storeContract('memory', async (clock) => ({ store: new MemoryIssuanceStore(clock), cleanup: async () => {} }));
