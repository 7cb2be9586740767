// Entry of the Louvain worker thread: the sources are TypeScript run through tsx, and hooks
// registered in the parent do not reach a worker, so it registers its own (as simulator/worker.js).
import { register } from 'tsx/esm/api';

register();
await import('./louvain-thread.ts');
