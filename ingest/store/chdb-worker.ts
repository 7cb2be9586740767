// Embedded ClickHouse away from the main thread. chdb's Connection runs its engine call inside the
// calling thread's event loop turn long enough to matter: measured here, a 1,000-row insert of
// decisions (2.3 MB) held the main thread's event loop ~120 ms and a 5,000-row one ~480 ms, which is
// the tail of every HTTP decision and every ingest batch waiting behind it. This Connection has the
// same contract (@clickhouse/client's `Connection`, so the same client, SQL and settings) and
// forwards each call to a host that holds the real chdb sessions (./chdb-host.ts): a worker thread
// (./chdb-thread.ts, one per process) or a child process at low priority (./chdb-child.ts, one per
// data path, see ChildHost). The main thread only serialises rows and copies bytes; the engine's time is spent
// beside it.
//
// When the engine dies (a crash, the OOM killer's SIGKILL) its host starts it again on the same
// data path with a bounded backoff, logged with the exit code or signal and the calls it had in
// flight; those calls fail with a retryable AppError, and a host whose engine dies 5 times within a
// minute (CHDB_RESTART) stops for good with a non-retryable one (ChdbHost says more). A worker
// thread is restarted the same way, but only a thread that ends between calls can be: one that
// ends while chdb runs a call in it aborts the whole process (chdb's addon throws into the torn-down
// thread: "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw", seen here), which the
// child process does not share.
//
// The main thread keeps chdb's native library loaded too: if only a worker had loaded it, the
// library goes away with the worker and the process crashes (SIGSEGV) on exit. Seen here.
import 'chdb';
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ClickHouseError, parseError, type ClickHouseSettings } from '@clickhouse/client';
import { AppError } from '../../core/errors.ts';
import { createLogger, type Logger } from '../../core/logger.ts';

type Settings = ClickHouseSettings | undefined;

export type ThreadRequest =
  | { id: number; op: 'open'; conn: number; path: string }
  | { id: number; op: 'query' | 'exec' | 'command' | 'insert' | 'ping' | 'close'; conn: number; query?: string; settings?: Settings; queryParams?: Record<string, unknown>; queryId?: string; body?: string | Uint8Array };

export type ThreadReply =
  | { id: number; ok: true; queryId?: string; summary?: unknown; bytes?: Uint8Array }
  | { id: number; ok: false; message: string; raw: string };

type DistributiveOmitId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  req: ThreadRequest;
  /** Posted to the current engine (false: waiting for a restart to finish). */
  sent: boolean;
  /** A reopen sent by a restart itself, not by a caller. */
  reopen?: boolean;
  resolve(reply: Extract<ThreadReply, { ok: true }>): void;
  reject(err: Error): void;
}

/** Where the engine runs away from the main thread: a worker thread or a child process. */
export type ChdbHostKind = 'worker' | 'process';

/**
 * When a dead engine is started again. Every death is logged with its exit code or signal and the
 * calls it had in flight; the restart waits `initialMs`, doubled for each earlier death within
 * `withinMs`, at most `maxMs`. The `maxDeaths`-th death within `withinMs` stops the restarts: an
 * engine that dies that often right after it starts (a corrupt part, memory it cannot get) would
 * only burn CPU and fill the log, so every call fails from then on with a non-retryable error
 * that says so, and the log says it at error level.
 */
export interface ChdbRestartPolicy {
  maxDeaths: number;
  withinMs: number;
  initialMs: number;
  maxMs: number;
}

export const CHDB_RESTART: ChdbRestartPolicy = { maxDeaths: 5, withinMs: 60_000, initialMs: 100, maxMs: 5_000 };

/**
 * The engine's host for one data path (chdb allows one data directory per process; a child
 * process holds its directory for the parent). Calls are numbered and answered by number.
 *
 * If the engine dies (a crash, an OOM kill, SIGKILL) the host starts another on the same path:
 * the calls that were in flight fail with a retryable AppError (an insert among them may or may
 * not be stored: the callers that write check what the store holds before they write again,
 * ingest/dedup.ts, or write into a ReplacingMergeTree, rules/sink/store-sink.ts), calls made
 * meanwhile wait and go to the new engine once every open connection is open there again. A new
 * engine is started only after the old one has exited, so two never write one directory.
 */
abstract class ChdbHost {
  private readonly pending = new Map<number, Pending>();
  /** Connections open on this host, by number: a restarted engine opens them again. */
  private readonly paths = new Map<number, string>();
  private nextId = 1;
  private failure: Error | null = null;
  /** `up`: calls go to the engine; `reopening`: a new engine reopens the connections; `down`: none runs. */
  private state: 'up' | 'reopening' | 'down' = 'up';
  private generation = 0;
  /** When the engine died, within the policy's window. */
  private readonly deaths: number[] = [];
  private restartTimer: NodeJS.Timeout | null = null;
  private downSince = 0;

  constructor(
    /** For messages: 'embedded ClickHouse process' or '… thread'. */
    protected readonly name: string,
    protected readonly logger: Logger,
    private readonly policy: ChdbRestartPolicy,
  ) {}

  /** Starts the first engine (subclasses call it once their own fields are set). */
  protected begin(): void {
    this.launch(++this.generation);
    this.hold(false);
  }

  /** Opens connection `conn` on `path`, now and on every engine started after a death. */
  open(conn: number, path: string): Promise<unknown> {
    this.paths.set(conn, path);
    return this.call({ op: 'open', conn, path });
  }

  /** Closes connection `conn`; a restarted engine no longer opens it. */
  close(conn: number): Promise<unknown> {
    this.paths.delete(conn);
    // After the final stop no engine holds the session: nothing is left to close.
    if (this.failure) return Promise.resolve();
    return this.call({ op: 'close', conn });
  }

  call(req: DistributiveOmitId<ThreadRequest>): Promise<Extract<ThreadReply, { ok: true }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const p: Pending = { req: { ...req, id: this.nextId++ } as ThreadRequest, sent: false, resolve, reject };
      this.add(p);
      if (this.state === 'up') this.send(p);
    });
  }

  /** Calls the engine is working on now, and whether it runs (tests and diagnostics). */
  status(): { state: 'up' | 'reopening' | 'down' | 'stopped'; callsInFlight: number } {
    let callsInFlight = 0;
    for (const p of this.pending.values()) if (p.sent && !p.reopen) callsInFlight++;
    return { state: this.failure ? 'stopped' : this.state, callsInFlight };
  }

  /** Starts an engine numbered `generation`; its replies go to onReply, its end to died. */
  protected abstract launch(generation: number): void;
  protected abstract post(req: ThreadRequest, generation: number): void;
  /** Whether the engine keeps the process alive (only while calls are pending). */
  protected abstract hold(on: boolean): void;

  protected isCurrent(generation: number): boolean {
    return generation === this.generation;
  }

  protected onReply(reply: ThreadReply, generation: number): void {
    if (!this.isCurrent(generation)) return;
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.settle(reply.id);
    if (reply.ok) p.resolve(reply);
    else p.reject(toError(reply.raw, reply.message));
  }

  /** A message that could not be sent fails its call alone; a dead engine is noticed by its exit. */
  protected sendFailed(id: number, generation: number, err: Error): void {
    const p = this.pending.get(id);
    if (!p || !this.isCurrent(generation) || !p.sent) return;
    this.settle(id);
    p.reject(new AppError('UNAVAILABLE', `${this.name}: a call could not be sent (${err.message}); retry it`, { retryable: true, cause: err }));
  }

  private add(p: Pending): void {
    // A call in flight keeps the process alive; an idle host does not hold it open.
    if (this.pending.size === 0) this.holdAll(true);
    this.pending.set(p.req.id, p);
  }

  private send(p: Pending): void {
    p.sent = true;
    try {
      this.post(p.req, this.generation);
    } catch (err) {
      // A request the channel cannot serialise: that call fails, the engine is fine.
      this.settle(p.req.id);
      p.reject(err as Error);
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.holdAll(false);
  }

  private holdAll(on: boolean): void {
    if (this.restartTimer) {
      if (on) this.restartTimer.ref();
      else this.restartTimer.unref();
    }
    if (this.state !== 'down') this.hold(on);
  }

  /** The engine numbered `generation` has exited (`how`: its signal or exit code). */
  protected died(generation: number, how: string): void {
    if (!this.isCurrent(generation) || this.state === 'down' || this.failure) return;
    this.state = 'down';
    this.downSince = Date.now();
    let inFlight = 0;
    const retry = new AppError('UNAVAILABLE', `${this.name} stopped (${how}) while this call was in flight; it is being restarted, retry the call (a write may or may not have been stored)`, { retryable: true });
    for (const [id, p] of this.pending) {
      if (!p.sent) continue;
      if (p.reopen) {
        this.settle(id);
        p.reject(retry);
      } else if (p.req.op === 'open') {
        p.sent = false; // opened again on the next engine
      } else if (p.req.op === 'close') {
        this.settle(id); // the session ended with the engine, and the next one will not open it
        p.resolve({ id, ok: true });
      } else {
        inFlight++;
        this.settle(id);
        p.reject(retry);
      }
    }
    const now = Date.now();
    this.deaths.push(now);
    while (this.deaths.length > 0 && this.deaths[0]! <= now - this.policy.withinMs) this.deaths.shift();
    const fields = { exit: how, callsInFlight: inFlight, callsWaiting: this.pending.size, deathsWithinWindow: this.deaths.length, windowMs: this.policy.withinMs };
    if (this.deaths.length >= this.policy.maxDeaths) {
      this.giveUp(how, fields);
      return;
    }
    const waitMs = Math.min(this.policy.initialMs * 2 ** (this.deaths.length - 1), this.policy.maxMs);
    this.logger.error(`${this.name} stopped; restarting it on the same data path`, { ...fields, restartInMs: waitMs, paths: [...new Set(this.paths.values())] });
    this.restartTimer = setTimeout(() => this.restart(), waitMs);
    if (this.pending.size === 0) this.restartTimer.unref();
  }

  private giveUp(how: string, fields: Record<string, unknown>): void {
    const paths = [...new Set(this.paths.values())];
    this.failure = new AppError(
      'UNAVAILABLE',
      `${this.name} stopped ${this.deaths.length} times within ${this.policy.withinMs / 1000} s (last: ${how}) and is not restarted again; every store call fails until quanguard is restarted (the data under ${paths.join(', ') || '(none)'} is kept)`,
      { retryable: false },
    );
    this.logger.error(`${this.name} keeps stopping; not restarting it again: the store is unavailable`, { ...fields, paths });
    for (const [id, p] of this.pending) {
      this.settle(id);
      p.reject(this.failure);
    }
  }

  private restart(): void {
    this.restartTimer = null;
    const generation = ++this.generation;
    this.state = 'reopening';
    this.launch(generation);
    this.hold(this.pending.size > 0);
    const reopens = [...this.paths].map(([conn, path]) => new Promise<unknown>((resolve, reject) => {
      const p: Pending = { req: { id: this.nextId++, op: 'open', conn, path }, sent: false, reopen: true, resolve, reject };
      this.add(p);
      this.send(p);
    }));
    Promise.all(reopens).then(
      () => {
        if (!this.isCurrent(generation) || this.state !== 'reopening') return;
        this.state = 'up';
        this.logger.warn(`${this.name} restarted`, { connections: reopens.length, downMs: Date.now() - this.downSince, callsWaiting: this.pending.size });
        for (const p of this.pending.values()) if (!p.sent) this.send(p);
      },
      (err: unknown) => {
        if (!this.isCurrent(generation) || this.state !== 'reopening') return;
        // Counted as a death once the engine has exited, so an engine that cannot open its data
        // ends in the same loud stop as one that crashes.
        this.logger.error(`${this.name} restarted but could not reopen its data; stopping it`, { err: err as Error });
        this.stopEngine(generation);
      },
    );
  }

  /** Ends the engine numbered `generation` (its exit then comes to `died`). */
  protected abstract stopEngine(generation: number): void;
}

class ThreadHost extends ChdbHost {
  private worker!: Worker;

  constructor(logger: Logger, policy: ChdbRestartPolicy) {
    super('embedded ClickHouse thread', logger, policy);
    this.begin();
  }

  protected launch(generation: number): void {
    const worker = new Worker(new URL('./chdb-thread.js', import.meta.url));
    this.worker = worker;
    let error: Error | undefined;
    worker.on('message', (reply: ThreadReply) => this.onReply(reply, generation));
    // An uncaught error ends the thread; its exit follows, which is what restarts it.
    worker.on('error', (err) => (error = err));
    worker.on('exit', (code) => this.died(generation, `exit code ${code}${error ? `: ${error.message}` : ''}`));
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

  protected stopEngine(generation: number): void {
    if (this.isCurrent(generation)) void this.worker.terminate();
  }

  /** Ends the thread as a crash would (tests). */
  terminate(): Promise<number> {
    return this.worker.terminate();
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
  private child!: ChildProcess;

  constructor(private readonly nice: number, logger: Logger, policy: ChdbRestartPolicy) {
    super('embedded ClickHouse process', logger, policy);
    this.begin();
  }

  protected launch(generation: number): void {
    const entry = fileURLToPath(new URL('./chdb-child.js', import.meta.url));
    // stdout goes to our stderr: the engine's stray output must not mix into the process's own.
    const child = spawn(process.execPath, [entry, String(this.nice)], { stdio: ['ignore', 2, 'inherit', 'ipc'], serialization: 'advanced' });
    this.child = child;
    child.on('message', (reply: ThreadReply) => this.onReply(reply, generation));
    child.on('exit', (code, signal) => this.died(generation, signal ?? `exit code ${code}`));
    child.on('error', (err) => {
      // Not started at all: no exit will follow. Otherwise (a kill or a send that failed) the
      // process may still run, and a new one must not open its directory beside it: end it and
      // let its exit restart it.
      if (child.pid === undefined) this.died(generation, `could not start: ${err.message}`);
      else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }

  /** The child's pid, for CPU accounting (bench/_http-server.ts) and tests. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  protected post(req: ThreadRequest, generation: number): void {
    // The advanced serialiser writes a view's own bytes, not its whole buffer: no copy needed first.
    this.child.send(req, (err) => {
      if (err) this.sendFailed(req.id, generation, err);
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

  protected stopEngine(generation: number): void {
    if (this.isCurrent(generation)) this.child.kill('SIGKILL');
  }
}

/**
 * Lowest priority by default: the engine's work waits for whatever else the machine has to do.
 * The price on a busy machine is ingest's wall-clock rate (its CPU per event is the same).
 * The first connection's `nice` starts the child; later ones share it.
 */
export const CHILD_NICE = 19;

/** One worker thread per process; one child process per data path (the first connection's options start it). */
const hosts: { worker?: ThreadHost; process: Map<string, ChildHost> } = { process: new Map() };
let nextConn = 1;

export interface RemoteChdbOptions {
  /** The child process's niceness (`process` only). */
  nice?: number;
  /** Where restarts and a final stop are logged (default: JSON lines on stderr). */
  logger?: Logger;
  restart?: ChdbRestartPolicy;
}

function hostOf(kind: ChdbHostKind, path: string, opts: RemoteChdbOptions): ChdbHost {
  const logger = (opts.logger ?? createLogger()).child({ component: 'chdb' });
  const policy = opts.restart ?? CHDB_RESTART;
  if (kind === 'worker') return (hosts.worker ??= new ThreadHost(logger, policy));
  let host = hosts.process.get(path);
  if (!host) hosts.process.set(path, (host = new ChildHost(opts.nice ?? CHILD_NICE, logger, policy)));
  return host;
}

/** Pid of this process's embedded ClickHouse child for `path` (default: the first one started). */
export function chdbChildPid(path?: string): number | undefined {
  const host = path === undefined ? hosts.process.values().next().value : hosts.process.get(path);
  return host?.pid;
}

/**
 * Whether the host of `kind` (and `path`, for a child process) runs and how many calls it works on
 * (tests of the restart; `stopped`: it died too often and is not restarted).
 */
export function chdbHostStatus(kind: ChdbHostKind, path?: string): ReturnType<ChdbHost['status']> | undefined {
  const host = kind === 'worker' ? hosts.worker : path === undefined ? hosts.process.values().next().value : hosts.process.get(path);
  return host?.status();
}

/**
 * Ends this process's embedded ClickHouse worker thread as a crash would (tests of the restart).
 * Only between calls: a thread ended while chdb runs a call in it takes the process down (below).
 */
export function terminateChdbThread(): Promise<number> | undefined {
  return hosts.worker?.terminate();
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

  /**
   * `nice`: the child process's niceness (`process` only); `logger` and `restart`: where the
   * engine's deaths are logged and how it is restarted. The first connection to a host sets them.
   */
  constructor(readonly path: string, kind: ChdbHostKind, opts: RemoteChdbOptions = {}) {
    this.connectionName = kind === 'worker' ? 'chdb-thread' : 'chdb-process';
    this.ownCopy = kind === 'worker';
    this.host = hostOf(kind, path, opts);
    this.opened = this.host.open(this.conn, path);
    // Awaited by every call; an open that fails before the first call must not go unhandled.
    this.opened.catch(() => undefined);
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
    await this.host.close(this.conn);
  }
}

/** The worker-thread host's Connection (the contract test's name for it). */
export class ThreadedChdbConnection extends RemoteChdbConnection {
  constructor(path: string) {
    super(path, 'worker');
  }
}
