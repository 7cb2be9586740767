// Body of the embedded-ClickHouse worker thread (see ./chdb-worker.ts): it owns chdb's sessions, one
// per Connection the main thread opened, and runs each call on the real chdb Connection, so a long
// insert or query never holds the main thread's event loop.
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { createChdbConnection } from 'chdb/connection';
import type { ThreadReply, ThreadRequest } from './chdb-worker.ts';

type ChdbConnection = ReturnType<typeof createChdbConnection>;

const port = parentPort;
if (!port) throw new Error('chdb-thread.ts runs only as a worker thread');
const sessions = new Map<number, ChdbConnection>();

port.on('message', (req: ThreadRequest) => {
  void handle(req).then(
    (reply) => post(reply),
    (err: unknown) => post({ id: req.id, ok: false, ...describe(err) }),
  );
});

function post(reply: ThreadReply): void {
  const transfer = reply.ok && reply.bytes ? [reply.bytes.buffer as ArrayBuffer] : [];
  port!.postMessage(reply, transfer);
}

async function handle(req: ThreadRequest): Promise<ThreadReply> {
  if (req.op === 'open') {
    sessions.set(req.conn, createChdbConnection({ path: req.path }));
    return { id: req.id, ok: true };
  }
  const conn = sessions.get(req.conn);
  if (!conn) throw new Error(`chdb thread: connection ${req.conn} is not open`);
  const params = { query: req.query ?? '', // chdb bundles its own copy of client-common's types: same shape, another declaration.
    clickhouse_settings: req.settings as never, query_params: req.queryParams, query_id: req.queryId };
  // Bytes from the main thread (pre-encoded rows) become the string chdb's statement needs here.
  const body = req.body instanceof Uint8Array ? Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength).toString('utf8') : req.body;
  switch (req.op) {
    case 'query': {
      const r = await conn.query(params);
      return { id: req.id, ok: true, queryId: r.query_id, bytes: await drain(r.stream) };
    }
    case 'exec': {
      const r = await conn.exec(body === undefined ? params : { ...params, values: Readable.from([body]) });
      return { id: req.id, ok: true, queryId: r.query_id, summary: r.summary, bytes: await drain(r.stream) };
    }
    case 'command': {
      const r = await conn.command(params);
      return { id: req.id, ok: true, queryId: r.query_id, summary: r.summary };
    }
    case 'insert': {
      const r = await conn.insert({ ...params, values: body ?? '' });
      return { id: req.id, ok: true, queryId: r.query_id, summary: r.summary };
    }
    case 'ping': {
      const r = await conn.ping({ select: true });
      if (!r.success) throw r.error;
      return { id: req.id, ok: true };
    }
    case 'close':
      sessions.delete(req.conn);
      await conn.close();
      return { id: req.id, ok: true };
  }
}

/** One fresh ArrayBuffer holding the whole stream (transferred to the main thread without a copy). */
async function drain(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The raw engine message travels; the main thread parses it into a ClickHouseError again. */
function describe(err: unknown): { message: string; raw: string } {
  const e = err as Error & { cause?: unknown };
  const raw = e?.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(err);
  return { message: e instanceof Error ? e.message : String(err), raw };
}
