// Entry of a simulator worker thread: the sources are TypeScript run through tsx (as bin/quanguard.js),
// and hooks registered in the parent do not reach a worker, so it registers its own. tsx's CommonJS
// hook, not its ESM one: on Node 20 the ESM hooks run on a hooks thread of their own that each
// worker starts and loads tsx into (two workers were ready in ~0.5-0.8 s and ~0.45 CPU-s with
// them, ~0.35 s and ~0.21 CPU-s with the require hook, which patches this thread's loader in
// place). The worker's modules have no top-level await and no import.meta, so they load as CJS.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
require('./worker.ts');
