// Body of the embedded-ClickHouse worker thread (see ./chdb-worker.ts): the sessions live in
// ./chdb-host.ts, so a long insert or query never holds the main thread's event loop.
import { parentPort } from 'node:worker_threads';
import { ChdbSessions } from './chdb-host.ts';
import type { ThreadReply, ThreadRequest } from './chdb-worker.ts';

const port = parentPort;
if (!port) throw new Error('chdb-thread.ts runs only as a worker thread');
const sessions = new ChdbSessions();

port.on('message', (req: ThreadRequest) => {
  void sessions.answer(req).then(post);
});

function post(reply: ThreadReply): void {
  const transfer = reply.ok && reply.bytes ? [reply.bytes.buffer as ArrayBuffer] : [];
  port!.postMessage(reply, transfer);
}
