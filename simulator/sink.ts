// Collects the events one shard generates. Generation goes entity by entity, not in time order, so
// lines are kept per CST day as encoded bytes with their times and lengths beside them, and the
// sorting is left to `merge.ts`, which interleaves the shards' days. The bytes live in shared
// memory, so the thread that merges a day reads them where the generating thread wrote them; past
// a memory budget a shard spills its days to one file per day and reuses the memory.
import { closeSync, mkdirSync, openSync, rmSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import type { EventType } from '../core/events.ts';
import { ID_PREFIXES } from '../core/ids.ts';
import type { Rng } from '../core/rng.ts';

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;
// Small, as each day of each shard ends with a part-filled chunk.
const CHUNK_BYTES = 256 * 1024;
// Per shard. Holding a city shard (25,000 winners, ~170 MB) in memory instead cost the same CPU
// within noise (27.7 against 27.0 CPU-s, 50,000 winners, two threads side by side) and 2.7 GB
// of peak memory for the city instead of ~1 GB.
export const DEFAULT_MEMORY_BUDGET = 64 * 1024 * 1024;

/** Chunks this thread may reuse (spilled ones): fresh memory is fresh pages for the kernel to
 * fault in, which cost more than writing into them. Shared buffers need no copy to be merged by
 * another thread; chunks handed over by `finish` are not reused. */
const freeChunks: Buffer[] = [];

function newChunk(bytes = CHUNK_BYTES): Buffer {
  return (bytes === CHUNK_BYTES ? freeChunks.pop() : undefined) ?? Buffer.from(new SharedArrayBuffer(bytes));
}

/** One shard's lines of one CST day, in generation order: the first `fileBytes` in `file`, the
 * rest in `chunks`. */
export interface DayRun {
  day: number;
  file: string;
  fileBytes: number;
  chunks: Uint8Array[];
  bytes: number;
  /** Per line, milliseconds into the CST day. */
  times: Int32Array;
  /** Per line, its length in bytes. */
  lengths: Uint32Array;
}

interface DayBucket {
  day: number;
  file: string;
  /** Lines are encoded as soon as they are made: a string kept until a later flush would survive
   * young-generation collections and cost an old-generation one. */
  buf: Buffer;
  used: number;
  /** Full chunks not yet spilled. */
  held: Buffer[];
  heldBytes: number;
  spilledBytes: number;
  times: Int32Array;
  lengths: Uint32Array;
  n: number;
  /** `","occurredAt":"2026-05-01T` as bytes. */
  prefix: Buffer;
}

// Latin-1 and ASCII writes are Buffer methods Node has had for ever but @types/node does not list.
type FastBuffer = Buffer & { latin1Write(s: string, offset: number): number; utf8Write(s: string, offset: number): number };

const EVENT_PREFIX = Buffer.from(`{"eventId":"${ID_PREFIXES.event}_`, 'latin1');
const ID_CODES = Buffer.from('0123456789abcdefghjkmnpqrstvwxyz', 'latin1');
const TYPE_PARTS = new Map<string, Buffer>();
const CLOCK_TAIL = Buffer.from('+08:00",', 'latin1');

function typePart(type: EventType): Buffer {
  let b = TYPE_PARTS.get(type);
  if (!b) TYPE_PARTS.set(type, (b = Buffer.from(`","type":"${type}`, 'latin1')));
  return b;
}

export class EventSink {
  private readonly days = new Map<number, DayBucket>();
  private seq = 0;
  private heldBytes = 0;
  private spilled = false;
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly spillDir: string,
    private readonly idRng: Rng,
    private readonly memoryBudget = DEFAULT_MEMORY_BUDGET,
  ) {}

  get total(): number {
    return this.seq;
  }

  /** Adds one event; `body` holds the type-specific fields in contract order (any Unicode). */
  emit(timeMs: number, type: EventType, body: object): void {
    const json = JSON.stringify(body);
    this.put(timeMs, type, json, 1, true);
  }

  /**
   * Adds one event whose body is already JSON: the type-specific members and the closing brace,
   * without the opening one (`"a":1,"b":"x"}`). Callers must only put JSON-safe ASCII in it (ids,
   * hashes, numbers, user agents): it is written byte for byte.
   */
  emitRaw(timeMs: number, type: EventType, body: string): void {
    this.put(timeMs, type, body, 0, false);
  }

  /** The header is written as bytes (id and clock digits straight from their tables), the body
   * after it; `from` skips the body's opening brace. */
  private put(timeMs: number, type: EventType, body: string, from: number, unicode: boolean): void {
    const t = Math.floor(timeMs);
    const local = t + CST_MS;
    const day = Math.floor(local / DAY_MS);
    const b = this.days.get(day) ?? this.open(day);
    const typeBytes = typePart(type);
    // 90 bytes of header at most; three bytes per UTF-16 unit is the most UTF-8 can need.
    const need = 96 + typeBytes.length + (unicode ? body.length * 3 : body.length);
    if (b.used + need > b.buf.length) {
      this.retire(b);
      if (need > b.buf.length) b.buf = newChunk(need);
    }
    const buf = b.buf as FastBuffer;
    const start = b.used;
    let o = putBytes(buf, start, EVENT_PREFIX);
    // The event id: ten base-32 digits of the time, twelve random ones (as core `newId`).
    let x = Math.max(0, t);
    for (let i = 9; i >= 0; i--) {
      buf[o + i] = ID_CODES[x % 32]!;
      x = Math.floor(x / 32);
    }
    o += 10;
    const rng = this.idRng;
    for (let i = 0; i < 12; i++) buf[o++] = ID_CODES[Math.floor(rng.next() * 32)]!;
    o = putBytes(buf, o, typeBytes);
    o = putBytes(buf, o, b.prefix);
    const ms = local - day * DAY_MS;
    o = writeClock(buf, o, ms);
    o = putBytes(buf, o, CLOCK_TAIL);
    if (unicode) o += buf.utf8Write(from ? body.slice(from) : body, o);
    else o += buf.latin1Write(body, o);
    buf[o++] = 10;
    b.used = o;
    this.seq++;
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    if (b.n === b.times.length) grow(b);
    b.times[b.n] = ms;
    b.lengths[b.n] = o - start;
    b.n++;
  }

  private open(day: number): DayBucket {
    const b: DayBucket = {
      day,
      file: join(this.spillDir, `${day}.ndjson`),
      buf: newChunk(),
      used: 0,
      held: [],
      heldBytes: 0,
      spilledBytes: 0,
      times: new Int32Array(1024),
      lengths: new Uint32Array(1024),
      n: 0,
      prefix: Buffer.from(`","occurredAt":"${new Date(day * DAY_MS).toISOString().slice(0, 11)}`, 'latin1'),
    };
    this.days.set(day, b);
    return b;
  }

  /** Moves the day's current chunk to the held list; spills everything once over budget. */
  private retire(b: DayBucket): void {
    if (b.used === 0) return;
    b.held.push(b.buf.subarray(0, b.used));
    b.heldBytes += b.used;
    this.heldBytes += b.used;
    b.buf = newChunk();
    b.used = 0;
    if (this.heldBytes > this.memoryBudget) this.spill();
  }

  private spill(): void {
    this.spilled = true;
    mkdirSync(this.spillDir, { recursive: true });
    for (const b of this.days.values()) {
      if (b.held.length === 0) continue;
      // writev, not a concatenation: one copy of the held bytes fewer.
      const fd = openSync(b.file, 'a');
      try {
        writevSync(fd, b.held);
      } finally {
        closeSync(fd);
      }
      for (const part of b.held) if (part.buffer.byteLength === CHUNK_BYTES) freeChunks.push(Buffer.from(part.buffer, 0, CHUNK_BYTES));
      b.spilledBytes += b.heldBytes;
      b.held = [];
      b.heldBytes = 0;
    }
    this.heldBytes = 0;
  }

  /** Hands back each day's lines (by day); the chunks now belong to the merge. No more events. */
  finish(): DayRun[] {
    // A sink that has spilled spills the rest, so its chunks go back to this thread's next shard.
    if (this.spilled) {
      for (const b of this.days.values()) this.retire(b);
      this.spill();
    }
    const runs: DayRun[] = [];
    for (const b of [...this.days.values()].sort((x, y) => x.day - y.day)) {
      const chunks: Uint8Array[] = [...b.held];
      if (b.used) chunks.push(b.buf.subarray(0, b.used));
      else if (b.buf.length === CHUNK_BYTES) freeChunks.push(b.buf);
      const bytes = b.spilledBytes + b.heldBytes + b.used;
      runs.push({ day: b.day, file: b.file, fileBytes: b.spilledBytes, chunks, bytes, times: b.times.slice(0, b.n), lengths: b.lengths.slice(0, b.n) });
    }
    this.days.clear();
    this.heldBytes = 0;
    return runs;
  }

  dispose(): void {
    this.days.clear();
    rmSync(this.spillDir, { recursive: true, force: true });
  }
}

function grow(b: DayBucket): void {
  const times = new Int32Array(b.times.length * 2);
  times.set(b.times);
  b.times = times;
  const lengths = new Uint32Array(b.lengths.length * 2);
  lengths.set(b.lengths);
  b.lengths = lengths;
}

/** A few constant bytes: a loop, since Buffer#copy makes a view per call. */
function putBytes(buf: Buffer, o: number, src: Buffer): number {
  for (let i = 0; i < src.length; i++) buf[o + i] = src[i]!;
  return o + src.length;
}

/** "hh:mm:ss.mmm" for milliseconds into a day, as digits: cheaper than a Date or a string per event. */
function writeClock(buf: Buffer, o: number, ms: number): number {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60, milli = ms % 1000;
  buf[o] = 48 + Math.floor(h / 10);
  buf[o + 1] = 48 + (h % 10);
  buf[o + 2] = 58;
  buf[o + 3] = 48 + Math.floor(m / 10);
  buf[o + 4] = 48 + (m % 10);
  buf[o + 5] = 58;
  buf[o + 6] = 48 + Math.floor(sec / 10);
  buf[o + 7] = 48 + (sec % 10);
  buf[o + 8] = 46;
  buf[o + 9] = 48 + Math.floor(milli / 100);
  buf[o + 10] = 48 + (Math.floor(milli / 10) % 10);
  buf[o + 11] = 48 + (milli % 10);
  return o + 12;
}
