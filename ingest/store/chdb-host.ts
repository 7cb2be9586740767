// The engine side of embedded ClickHouse when it runs away from the main thread (./chdb-worker.ts):
// it owns chdb's sessions, one per Connection the main side opened, and runs each request on the
// real chdb Connection. Shared by the worker thread (./chdb-thread.ts) and the child process
// (./chdb-child.ts); only how requests arrive and replies leave differs.
import { Readable } from 'node:stream';
import { createChdbConnection } from 'chdb/connection';
import type { ThreadReply, ThreadRequest } from './chdb-worker.ts';

type ChdbConnection = ReturnType<typeof createChdbConnection>;

export class ChdbSessions {
  private readonly sessions = new Map<number, ChdbConnection>();

  /** Never rejects: an engine error becomes a reply that carries its raw message. */
  answer(req: ThreadRequest): Promise<ThreadReply> {
    return this.handle(req).catch((err: unknown) => ({ id: req.id, ok: false as const, ...describe(err) }));
  }

  /** Closes every session (the child process before it exits). */
  async closeAll(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    for (const c of open) await c.close().catch(() => undefined);
  }

  private async handle(req: ThreadRequest): Promise<ThreadReply> {
    // Open and close may come twice after the main side restarted a dead engine (it reopens every
    // connection and then sends what waited, an open or a close among it): a repeat is a no-op.
    if (req.op === 'open') {
      if (!this.sessions.has(req.conn)) this.sessions.set(req.conn, createChdbConnection({ path: req.path }));
      return { id: req.id, ok: true };
    }
    const conn = this.sessions.get(req.conn);
    if (!conn && req.op === 'close') return { id: req.id, ok: true };
    if (!conn) throw new Error(`chdb host: connection ${req.conn} is not open`);
    const params = { query: req.query ?? '', // chdb bundles its own copy of client-common's types: same shape, another declaration.
      clickhouse_settings: req.settings as never, query_params: req.queryParams, query_id: req.queryId };
    // Bytes from the main side (pre-encoded rows) become the string chdb's statement needs here.
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
        this.sessions.delete(req.conn);
        await conn.close();
        return { id: req.id, ok: true };
    }
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

/** The raw engine message travels; the main side parses it into a ClickHouseError again. */
function describe(err: unknown): { message: string; raw: string } {
  const e = err as Error & { cause?: unknown };
  const raw = e?.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(err);
  return { message: e instanceof Error ? e.message : String(err), raw };
}
