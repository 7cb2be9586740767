// Embedded ClickHouse away from the main thread. chdb's Connection runs its engine call inside the
// calling thread's event loop turn long enough to matter: measured here, a 1,000-row insert of
// decisions (2.3 MB) held the main thread's event loop ~120 ms and a 5,000-row one ~480 ms, which is
// the tail of every HTTP decision and every ingest batch waiting behind it. This Connection has the
// same contract (@clickhouse/client's `Connection`, so the same client, SQL and settings) and
// forwards each call to one host per process that holds the real chdb sessions (./chdb-host.ts):
// a worker thread (./chdb-thread.ts) or a child process at low priority (./chdb-child.ts, see
// ChildHost). The main thread only serialises rows and copies bytes; the engine's time is spent
// beside it.
//
// The main thread keeps chdb's native library loaded too: if only a worker had loaded it, the
// library goes away with the worker and the process crashes (SIGSEGV) on exit. Seen here.
import 'chdb';
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
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

/** Where the engine runs away from the main thread: a worker thread or a child process. */
export type ChdbHostKind = 'worker' | 'process';

/**
 * The engine's host of this process (chdb allows one data directory per process, as before; a
 * child process holds the directory for its parent). Calls are numbered and answered by number.
 */
abstract class ChdbHost {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  call(req: DistributiveOmitId<ThreadRequest>): Promise<Extract<ThreadReply, { ok: true }>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A call in flight keeps the process alive; an idle host does not hold it open.
      if (this.pending.size === 0) this.hold(true);
      this.pending.set(id, { resolve, reject });
      this.post({ ...req, id } as ThreadRequest);
    });
  }

  protected abstract post(req: ThreadRequest): void;
  protected abstract hold(on: boolean): void;

  protected onReply(reply: ThreadReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.settle(reply.id);
    if (reply.ok) p.resolve(reply);
    else p.reject(toError(reply.raw, reply.message));
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.hold(false);
  }

  protected fail(err: Error): void {
    this.failure ??= err;
    for (const [id, p] of this.pending) {
      this.settle(id);
      p.reject(err);
    }
  }
}

class ThreadHost extends ChdbHost {
  private readonly worker: Worker;

  constructor() {
    super();
    this.worker = new Worker(new URL('./chdb-thread.js', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (reply: ThreadReply) => this.onReply(reply));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`embedded ClickHouse thread stopped (exit code ${code})`)));
  }

  protected post(req: ThreadRequest): void {
    // An insert's bytes are a copy made for this message (bodyOf): moved, not copied again.
    const body = 'body' in req ? req.body : undefined;
    this.worker.postMessage(req, body instanceof Uint8Array ? [body.buffer as ArrayBuffer] : []);
  }

  protected hold(on: boolean): void {
    if (on) this.worker.ref();
    else this.worker.unref();
  }
}

/**
 * The engine in a child process at a low priority (./chdb-child.js). A worker thread shares the
 * process with the API, and ClickHouse's own threads (parsing an insert, writing its part, the
 * background merges) then compete with the event loop at the same priority: on two cores shared
 * with the load, the decision API's p99 paid for them. A child process at niceness 19 gets the
 * CPU the API leaves; the rows cross the IPC channel as the bytes the sink already encoded.
 */
class ChildHost extends ChdbHost {
  private readonly child: ChildProcess;

  constructor(nice: number) {
    super();
    const entry = fileURLToPath(new URL('./chdb-child.js', import.meta.url));
    // stdout goes to our stderr: the engine's stray output must not mix into the process's own.
    this.child = spawn(process.execPath, [entry, String(nice)], { stdio: ['ignore', 2, 'inherit', 'ipc'], serialization: 'advanced' });
    this.child.on('message', (reply: ThreadReply) => this.onReply(reply));
    this.child.on('error', (err) => this.fail(err));
    this.child.on('exit', (code, signal) => this.fail(new Error(`embedded ClickHouse process stopped (${signal ?? `exit code ${code}`})`)));
    this.hold(false);
  }

  /** The child's pid, for CPU accounting (bench/_http-server.ts). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  protected post(req: ThreadRequest): void {
    // The advanced serialiser writes a view's own bytes, not its whole buffer: no copy needed first.
    this.child.send(req, (err) => {
      if (err) this.fail(err);
    });
  }

  protected hold(on: boolean): void {
    if (on) {
      this.child.ref();
      this.child.channel?.ref();
    } else {
      this.child.unref();
      this.child.channel?.unref();
    }
  }
}

/**
 * Lowest priority by default: the engine's work waits for whatever else the machine has to do.
 * The price on a busy machine is ingest's wall-clock rate (its CPU per event is the same).
 * The first connection's `nice` starts the child; later ones share it.
 */
export const CHILD_NICE = 19;

const hosts: { worker?: ThreadHost; process?: ChildHost } = {};
let nextConn = 1;

function hostOf(kind: ChdbHostKind, nice: number): ChdbHost {
  if (kind === 'worker') return (hosts.worker ??= new ThreadHost());
  return (hosts.process ??= new ChildHost(nice));
}

/** Pid of this process's embedded ClickHouse child, if one was started. */
export function chdbChildPid(): number | undefined {
  return hosts.process?.pid;
}

function toError(raw: string, message: string): Error {
  const parsed = parseError(raw);
  if (parsed instanceof ClickHouseError) return parsed;
  return new Error(message);
}

/**
 * An insert's body as the host gets it. Bytes stay bytes (the store's pre-encoded rows,
 * ./encoded-rows.ts): the host decodes them, so the main thread neither decodes a megabyte of
 * UTF-8 into a string nor copies that string into the message. For the worker (`ownCopy`) a view
 * into a larger buffer is copied first, since posting a view would copy its whole buffer and
 * transferring it would take the buffer from its owner (which may insert it again after a
 * failure); the child process's channel writes just the view's bytes, so it gets the view.
 */
async function bodyOf(values: unknown, ownCopy: boolean): Promise<string | Uint8Array> {
  if (typeof values === 'string') return values;
  const chunks: (string | Uint8Array)[] = [];
  for await (const chunk of values as AsyncIterable<unknown>) {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(chunk);
    else throw new Error(`embedded ClickHouse: unsupported insert chunk ${typeof chunk}`);
  }
  if (chunks.every((c) => c instanceof Uint8Array)) {
    const parts = chunks as Uint8Array[];
    if (parts.length > 1) return new Uint8Array(Buffer.concat(parts));
    return ownCopy ? new Uint8Array(parts[0]!) : parts[0]!;
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
 * @clickhouse/client `Connection` over the engine's host (a worker thread or a child process). An
 * abort signal is honoured before the call is sent; a call already running in the engine finishes
 * (the same as chdb's own connection, whose engine call cannot be interrupted either).
 */
export class RemoteChdbConnection {
  readonly connectionName: string;
  private readonly conn = nextConn++;
  private readonly host: ChdbHost;
  private readonly opened: Promise<unknown>;
  private readonly ownCopy: boolean;
  private closed = false;

  /** `nice`: the child process's niceness (`process` only; the first connection's starts it). */
  constructor(readonly path: string, kind: ChdbHostKind, opts: { nice?: number } = {}) {
    this.connectionName = kind === 'worker' ? 'chdb-thread' : 'chdb-process';
    this.ownCopy = kind === 'worker';
    this.host = hostOf(kind, opts.nice ?? CHILD_NICE);
    this.opened = this.host.call({ op: 'open', conn: this.conn, path });
  }

  private async send(op: 'query' | 'exec' | 'command' | 'insert', p: CallParams, body?: string | Uint8Array) {
    if (this.closed) throw new Error('embedded ClickHouse connection is closed');
    if (p.abort_signal?.aborted) throw new Error('the query was aborted');
    await this.opened;
    return this.host.call({ op, conn: this.conn, query: p.query, settings: p.clickhouse_settings, queryParams: p.query_params, queryId: p.query_id, body });
  }

  async query(p: CallParams) {
    const r = await this.send('query', p);
    return { ...base, query_id: r.queryId ?? '', stream: readableOf(r.bytes) };
  }

  async exec(p: CallParams & { values?: unknown }) {
    const r = await this.send('exec', p, p.values === undefined ? undefined : await bodyOf(p.values, this.ownCopy));
    return { ...base, query_id: r.queryId ?? '', summary: r.summary, stream: readableOf(r.bytes) };
  }

  async command(p: CallParams) {
    const r = await this.send('command', p);
    return { ...base, query_id: r.queryId ?? '', summary: r.summary };
  }

  async insert(p: CallParams & { values: unknown }) {
    const r = await this.send('insert', p, await bodyOf(p.values, this.ownCopy));
    return { ...base, query_id: r.queryId ?? '', summary: r.summary };
  }

  async ping(): Promise<{ success: true } | { success: false; error: Error }> {
    try {
      if (this.closed) throw new Error('embedded ClickHouse connection is closed');
      await this.opened;
      await this.host.call({ op: 'ping', conn: this.conn });
      return { success: true };
    } catch (error) {
      return { success: false, error: error as Error };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opened.catch(() => undefined);
    await this.host.call({ op: 'close', conn: this.conn });
  }
}

/** The worker-thread host's Connection (the contract test's name for it). */
export class ThreadedChdbConnection extends RemoteChdbConnection {
  constructor(path: string) {
    super(path, 'worker');
  }
}
