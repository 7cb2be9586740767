// Embedded ClickHouse on its own thread. chdb's Connection runs its engine call inside the calling
// thread's event loop turn long enough to matter: measured here, a 1,000-row insert of decisions
// (2.3 MB) held the main thread's event loop ~120 ms and a 5,000-row one ~480 ms, which is the tail
// of every HTTP decision and every ingest batch waiting behind it. This Connection has the same
// contract (@clickhouse/client's `Connection`, so the same client, SQL and settings) and forwards
// each call to one worker thread per process that holds the real chdb sessions (./chdb-thread.ts).
// The main thread only serialises rows and copies bytes; the engine's time is spent beside it.
//
// The main thread keeps chdb's native library loaded too: if only a worker had loaded it, the
// library goes away with the worker and the process crashes (SIGSEGV) on exit. Seen here.
import 'chdb';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { ClickHouseError, parseError, type ClickHouseSettings } from '@clickhouse/client';

type Settings = ClickHouseSettings | undefined;

export type ThreadRequest =
  | { id: number; op: 'open'; conn: number; path: string }
  | { id: number; op: 'query' | 'exec' | 'command' | 'insert' | 'ping' | 'close'; conn: number; query?: string; settings?: Settings; queryParams?: Record<string, unknown>; queryId?: string; body?: string | Uint8Array };

export type ThreadReply =
  | { id: number; ok: true; queryId?: string; summary?: unknown; bytes?: Uint8Array }
  | { id: number; ok: false; message: string; raw: string };

type DistributiveOmitId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve(reply: Extract<ThreadReply, { ok: true }>): void;
  reject(err: Error): void;
}

/** The one worker of this process (chdb allows one data directory per process, as before). */
class ChdbThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor() {
    this.worker = new Worker(new URL('./chdb-thread.js', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (reply: ThreadReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.settle(reply.id);
      if (reply.ok) p.resolve(reply);
      else p.reject(toError(reply.raw, reply.message));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`embedded ClickHouse thread stopped (exit code ${code})`)));
  }

  call(req: DistributiveOmitId<ThreadRequest>): Promise<Extract<ThreadReply, { ok: true }>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A call in flight keeps the process alive; an idle thread does not hold it open.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      // An insert's bytes are a copy made for this message (bodyOf): moved, not copied again.
      const body = 'body' in req ? req.body : undefined;
      this.worker.postMessage({ ...req, id } as ThreadRequest, body instanceof Uint8Array ? [body.buffer as ArrayBuffer] : []);
    });
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const [id, p] of this.pending) {
      this.settle(id);
      p.reject(err);
    }
  }
}

let thread: ChdbThread | null = null;
let nextConn = 1;

function toError(raw: string, message: string): Error {
  const parsed = parseError(raw);
  if (parsed instanceof ClickHouseError) return parsed;
  return new Error(message);
}

/**
 * An insert's body as the worker gets it. Bytes stay bytes (the store's pre-encoded rows,
 * ./encoded-rows.ts): a fresh copy of just those bytes is transferred and the worker decodes them,
 * so the main thread neither decodes a megabyte of UTF-8 into a string nor copies that string into
 * the message. A view into a larger buffer is copied first, since posting a view would copy its
 * whole buffer and transferring it would take the buffer from its owner (which may insert it
 * again after a failure).
 */
async function bodyOf(values: unknown): Promise<string | Uint8Array> {
  if (typeof values === 'string') return values;
  const chunks: (string | Uint8Array)[] = [];
  for await (const chunk of values as AsyncIterable<unknown>) {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(chunk);
    else throw new Error(`embedded ClickHouse: unsupported insert chunk ${typeof chunk}`);
  }
  if (chunks.every((c) => c instanceof Uint8Array)) {
    const parts = chunks as Uint8Array[];
    return parts.length === 1 ? new Uint8Array(parts[0]!) : new Uint8Array(Buffer.concat(parts));
  }
  let body = '';
  for (const c of chunks) body += typeof c === 'string' ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('utf8');
  return body;
}

function readableOf(bytes: Uint8Array | undefined): Readable {
  const b = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.alloc(0);
  return Readable.from([b], { objectMode: false });
}

const base = { response_headers: {}, http_status_code: 200 };

interface CallParams {
  query: string;
  clickhouse_settings?: Settings;
  query_params?: Record<string, unknown>;
  query_id?: string;
  abort_signal?: AbortSignal;
}

/**
 * @clickhouse/client `Connection` over the worker. An abort signal is honoured before the call is
 * sent; a call already running in the engine finishes (the same as chdb's own connection, whose
 * engine call cannot be interrupted either).
 */
export class ThreadedChdbConnection {
  readonly connectionName = 'chdb-thread';
  private readonly conn = nextConn++;
  private readonly opened: Promise<unknown>;
  private closed = false;

  constructor(readonly path: string) {
    thread ??= new ChdbThread();
    this.opened = thread.call({ op: 'open', conn: this.conn, path });
  }

  private async send(op: 'query' | 'exec' | 'command' | 'insert', p: CallParams, body?: string | Uint8Array) {
    if (this.closed) throw new Error('embedded ClickHouse connection is closed');
    if (p.abort_signal?.aborted) throw new Error('the query was aborted');
    await this.opened;
    return thread!.call({ op, conn: this.conn, query: p.query, settings: p.clickhouse_settings, queryParams: p.query_params, queryId: p.query_id, body });
  }

  async query(p: CallParams) {
    const r = await this.send('query', p);
    return { ...base, query_id: r.queryId ?? '', stream: readableOf(r.bytes) };
  }

  async exec(p: CallParams & { values?: unknown }) {
    const r = await this.send('exec', p, p.values === undefined ? undefined : await bodyOf(p.values));
    return { ...base, query_id: r.queryId ?? '', summary: r.summary, stream: readableOf(r.bytes) };
  }

  async command(p: CallParams) {
    const r = await this.send('command', p);
    return { ...base, query_id: r.queryId ?? '', summary: r.summary };
  }

  async insert(p: CallParams & { values: unknown }) {
    const r = await this.send('insert', p, await bodyOf(p.values));
    return { ...base, query_id: r.queryId ?? '', summary: r.summary };
  }

  async ping(): Promise<{ success: true } | { success: false; error: Error }> {
    try {
      if (this.closed) throw new Error('embedded ClickHouse connection is closed');
      await this.opened;
      await thread!.call({ op: 'ping', conn: this.conn });
      return { success: true };
    } catch (error) {
      return { success: false, error: error as Error };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opened.catch(() => undefined);
    await thread!.call({ op: 'close', conn: this.conn });
  }
}
