// Entry of the embedded-ClickHouse child process (see ./chdb-worker.ts). Before chdb is loaded it
// lowers every thread the process has to the niceness it was given (argv[2]): Linux keeps niceness
// per thread and a new thread inherits its creator's, so ClickHouse's own insert and background
// merge threads, all created after this, run at that niceness too. (Setting it on a worker thread
// of the API's process did not reach them.) Then tsx's hooks, as in ./chdb-thread.js.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { register } from 'tsx/esm/api';

const nice = Number(process.argv[2] ?? '0');
if (Number.isInteger(nice) && nice !== 0) {
  let tids = [];
  try {
    tids = readdirSync('/proc/self/task').map(Number);
  } catch {
    // No /proc (not Linux): there the priority is the whole process's.
  }
  for (const tid of tids.length ? tids : [0]) {
    try {
      os.setPriority(tid, nice);
    } catch {
      // A thread that ended meanwhile; raising niceness needs no privilege.
    }
  }
}
register();
await import('./chdb-child.ts');
