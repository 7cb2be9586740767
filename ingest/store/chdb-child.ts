// Body of the embedded-ClickHouse child process (see ./chdb-worker.ts): requests arrive over the
// IPC channel, the sessions live in ./chdb-host.ts. When the parent goes away (the channel closes,
// also when it was killed) the sessions are closed and the process ends. When this process dies
// instead, the parent starts another on the same data path (ChdbHost in ./chdb-worker.ts).
import { ChdbSessions } from './chdb-host.ts';
import type { ThreadRequest } from './chdb-worker.ts';

if (!process.send) throw new Error('chdb-child.ts runs only as a child process with an IPC channel');
const sessions = new ChdbSessions();

process.on('message', (req: ThreadRequest) => {
  void sessions.answer(req).then((reply) => {
    if (process.connected) process.send!(reply);
  });
});
process.once('disconnect', () => {
  void sessions.closeAll().finally(() => process.exit(0));
});
