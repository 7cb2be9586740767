// An append-only journal that lets an in-memory store survive a restart, as Redis's appendonly file
// does for Redis. Every call that changed the store is one line `[seq, now, op, args]`; the lines
// of one synchronous run go out in one write(2) at the next microtask, before any caller of those
// calls resumes, so a crashed process loses nothing it answered; the file is fsynced every second
// (Redis's `appendfsync everysec`: a machine crash loses about a second).
// Opening replays the snapshot, then the lines after it, into the store. A rewrite turns the
// store's whole state into a snapshot (v8 serialisation, which keeps Maps and Sets) and starts the
// journal again; each line's seq says whether a snapshot already holds it, so a crash between
// writing the snapshot and emptying the journal applies nothing twice. Unlike Redis, which forks
// for it, a rewrite here holds the event loop (~0.5 s for 66,000 coupons, `npm run bench -- claim`),
// so it happens at open when the journal passed `compactOnOpenBytes`, and while running only once
// the journal passed `rewriteMinBytes` and is as large as the last snapshot (Redis's
// auto-aof-rewrite rule: the total doubled), a bound on disk rather than a routine. A
// torn last line (a crash mid-write) is cut off and reported; damage elsewhere refuses to open. A
// lock file names the process that holds the directory, so a second process gets a clear error,
// not two interleaved writers.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';

/** What a journal drives: replays a recorded call, and gives or takes the whole state. */
export interface JournalTarget {
  /** Applies one recorded call during replay; `now` is the store clock's time when it first ran. */
  apply(op: string, args: unknown[], now: number): void;
  snapshot(): unknown;
  restore(state: unknown): void;
}

export interface JournalOptions {
  /** Default 1 s. 0 leaves syncing to the kernel (tests). */
  fsyncEveryMs?: number;
  /** While running, rewrite past this size (and the last snapshot's). Default 1 GiB. */
  rewriteMinBytes?: number;
  /** At open, before anyone is served, rewrite a journal larger than this. Default 64 MiB. */
  compactOnOpenBytes?: number;
}

export interface JournalLoad {
  snapshotSeq: number;
  /** Lines applied after the snapshot. */
  replayed: number;
  /** Bytes of a torn last line that were cut off (0 normally). */
  truncatedBytes: number;
}

export class JournalLockedError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`journal: ${path} is held by process ${pid}; stop it first (one process owns an embedded hot state)`);
  }
}

const CHUNK = 16 << 20;

export class Journal {
  private fd: number;
  private seq: number;
  private bytes: number;
  /** Size of the last snapshot: a rewrite waits until the journal is as large (the total has doubled). */
  private snapshotBytes: number;
  private dirty = false;
  private pending: string[] = [];
  private pendingChars = 0;
  private flushQueued = false;
  private written = 0;
  private rewriteCount = 0;
  private rewriteMaxMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly rewriteMinBytes: number;

  private constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly target: JournalTarget,
    opts: JournalOptions,
    readonly loaded: JournalLoad,
    seq: number,
  ) {
    this.rewriteMinBytes = opts.rewriteMinBytes ?? 1 << 30;
    this.fd = openSync(this.journalPath, 'a');
    this.bytes = fstatSync(this.fd).size;
    const snap = join(dir, `${name}.snapshot`);
    this.snapshotBytes = existsSync(snap) ? statSync(snap).size : 0;
    this.seq = seq;
    const every = opts.fsyncEveryMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => this.sync(), every);
      this.timer.unref();
    }
  }

  /** Takes the directory's lock, replays what it holds into `target`, and opens the journal for appends. */
  static open(dir: string, name: string, target: JournalTarget, opts: JournalOptions = {}): Journal {
    mkdirSync(dir, { recursive: true });
    const lockPath = join(dir, `${name}.lock`);
    takeLock(lockPath);
    try {
      let snapshotSeq = 0;
      const snapPath = join(dir, `${name}.snapshot`);
      if (existsSync(snapPath)) {
        const snap = deserialize(readFileSync(snapPath)) as { seq: number; state: unknown };
        target.restore(snap.state);
        snapshotSeq = snap.seq;
      }
      const { lastSeq, replayed, truncatedBytes } = replayLines(join(dir, `${name}.journal`), snapshotSeq, target);
      const journal = new Journal(dir, name, target, opts, { snapshotSeq, replayed, truncatedBytes }, Math.max(lastSeq, snapshotSeq));
      if (journal.bytes > (opts.compactOnOpenBytes ?? 64 << 20)) journal.rewrite();
      return journal;
    } catch (err) {
      rmSync(lockPath, { force: true });
      throw err;
    }
  }

  private get journalPath(): string {
    return join(this.dir, `${this.name}.journal`);
  }

  /**
   * Records one call that changed the store. Args must be JSON data (undefined reads back as null
   * in arrays). The line is written at the next microtask, with every other call recorded in the
   * same synchronous run (one write for a burst): that is before the caller's `await` of the
   * store call resumes, so nobody is answered before the kernel has the line.
   */
  record(op: string, args: unknown[], now: number): void {
    const line = `${JSON.stringify([++this.seq, now, op, args])}\n`;
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars > 16 << 20) this.writePending(); // a long burst goes out in pieces, not one string
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes the recorded lines; a store's call is one synchronous step, so between microtasks the state is whole for a rewrite. */
  private flush(): void {
    this.flushQueued = false;
    this.writePending();
    if (this.fd >= 0 && this.bytes >= this.rewriteMinBytes && this.bytes >= this.snapshotBytes) this.rewrite();
  }

  private writePending(): void {
    if (this.pending.length === 0 || this.fd < 0) return;
    const buf = Buffer.from(this.pending.length === 1 ? this.pending[0]! : this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.bytes += buf.length;
    this.written += buf.length;
    this.dirty = true;
  }

  /** Bytes of journal lines written since open (rewrites do not reset it). */
  get bytesWritten(): number {
    return this.written;
  }

  /** Rewrites since open and the longest one (it holds the event loop: the state is serialised in one go). */
  get rewrites(): { count: number; maxMs: number; lastSnapshotBytes: number } {
    return { count: this.rewriteCount, maxMs: this.rewriteMaxMs, lastSnapshotBytes: this.snapshotBytes };
  }

  /** Writes the whole state as a snapshot and starts an empty journal. */
  rewrite(): void {
    const t0 = performance.now();
    this.writePending();
    const snapPath = join(this.dir, `${this.name}.snapshot`);
    const tmp = `${snapPath}.tmp`;
    const data = serialize({ seq: this.seq, state: this.target.snapshot() });
    writeFileSync(tmp, data);
    const tfd = openSync(tmp, 'r+');
    try {
      fsyncSync(tfd);
    } finally {
      closeSync(tfd);
    }
    renameSync(tmp, snapPath);
    const dfd = openSync(this.dir, 'r');
    try {
      fsyncSync(dfd); // the rename itself must be on disk before the journal is emptied
    } finally {
      closeSync(dfd);
    }
    // The snapshot holds every line up to this.seq: a crash before the truncation replays none of them.
    ftruncateSync(this.fd, 0);
    fsyncSync(this.fd);
    this.bytes = 0;
    this.snapshotBytes = data.length;
    this.rewriteCount++;
    this.rewriteMaxMs = Math.max(this.rewriteMaxMs, performance.now() - t0);
    this.dirty = false;
  }

  sync(): void {
    this.writePending();
    if (!this.dirty) return;
    this.dirty = false;
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sync();
    closeSync(this.fd);
    this.fd = -1;
    rmSync(join(this.dir, `${this.name}.lock`), { force: true });
  }
}

function takeLock(lockPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number(readFileSync(lockPath, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw new JournalLockedError(lockPath, pid);
    rmSync(lockPath, { force: true }); // left by a process that died
  }
  throw new Error(`journal: could not take ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Applies the journal's lines after `afterSeq`. Bytes after the last newline are a torn write (a
 * crash mid-line) and are cut off; a complete line that does not parse is damage, and opening
 * refuses with its offset rather than drop what follows it. Reads in chunks: the file may be larger
 * than a string can be.
 */
function replayLines(path: string, afterSeq: number, target: JournalTarget): { lastSeq: number; replayed: number; truncatedBytes: number } {
  if (!existsSync(path)) return { lastSeq: 0, replayed: 0, truncatedBytes: 0 };
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    let pos = 0;
    let carry = Buffer.alloc(0);
    let lastSeq = 0;
    let replayed = 0;
    while (pos < size) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      pos += n;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const bufStart = pos - buf.length;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        const entry = parseLine(buf.toString('utf8', start, nl));
        if (!entry) throw new Error(`journal: ${path} is damaged at byte ${bufStart + start} (a line that is not a journal entry); move it aside to start empty`);
        const [seq, now, op, args] = entry;
        if (seq > afterSeq) {
          target.apply(op, args, now);
          replayed++;
        }
        lastSeq = seq;
        start = nl + 1;
      }
      carry = Buffer.from(buf.subarray(start));
    }
    if (carry.length > 0) ftruncateSync(fd, size - carry.length);
    return { lastSeq, replayed, truncatedBytes: carry.length };
  } finally {
    closeSync(fd);
  }
}

function parseLine(text: string): [number, number, string, unknown[]] | null {
  try {
    const v = JSON.parse(text) as unknown;
    if (Array.isArray(v) && v.length === 4 && typeof v[0] === 'number' && typeof v[1] === 'number' && typeof v[2] === 'string' && Array.isArray(v[3]))
      return v as [number, number, string, unknown[]];
  } catch {
    // falls through: a torn or foreign line
  }
  return null;
}
