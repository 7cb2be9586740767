// Entry of a simulator worker thread: the sources are TypeScript run through tsx (as bin/quanguard.js),
// and hooks registered in the parent do not reach a worker, so it registers its own.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
