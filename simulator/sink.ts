// Collects the events one shard generates. Generation goes entity by entity, not in time order, so
// lines are kept per CST day as encoded bytes with their times and lengths beside them, and the
// sorting is left to `merge.ts`, which interleaves the shards' days. The chunks are plain
// ArrayBuffers that move (transfer, no copy) to the thread that merges their day; past a memory
// budget a shard spills its days to one file per day and reuses the memory.
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
 * fault in, which cost more than writing into them. Chunks handed over by `finish` are not reused
 * (they are transferred to the merging thread). */
const freeChunks: Buffer[] = [];

/** Not a SharedArrayBuffer: V8 writes into shared memory on slower paths (a 20-170 byte
 * `Uint8Array#set` took 93 ns into a shared buffer against 22 ns into a plain one, a byte loop 255
 * against 177 ns), and every line is written piece by piece. A plain buffer crosses to another
 * thread as a transfer, which costs no copy either. */
function newChunk(bytes = CHUNK_BYTES): Buffer {
  return (bytes === CHUNK_BYTES ? freeChunks.pop() : undefined) ?? Buffer.from(new ArrayBuffer(bytes));
}

/** One shard's lines of one CST day, in generation order: the first `fileBytes` in `file`, the
 * rest in `chunks` (each chunk's buffer holds this day's lines only, so it can be transferred to
 * the thread that merges the day: see `runBuffers`). */
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
type FastBuffer = Buffer & { latin1Write(s: string, offset: number): number; utf8Write(s: string, offset: number): number; latin1Slice(start: number, end: number): string };

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
  // The line being written by `begin` … `end`.
  private line?: DayBucket;
  protected at: Buffer = Buffer.alloc(0);
  protected o = 0;
  private lineMs = 0;
  private lineType: EventType = 'claim';
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

  /**
   * Starts a line written piece by piece (`ascii`, `bytes`, `int`, `num`, then `end`), for the
   * bulk events: no body string is built, joined and flattened per event, which was most of the
   * collector's work. `reserve` bounds the body's bytes; `end` refuses a line that outgrew it.
   */
  begin(timeMs: number, type: EventType, reserve: number): void {
    const b = this.headerOf(timeMs, type, reserve);
    this.line = b;
    this.lineType = type;
    this.at = b.buf;
    this.o = this.header(b, timeMs, type);
  }

  /** ASCII text as it is (ids, hashes, JSON punctuation): the caller escapes nothing. */
  ascii(s: string): void {
    const buf = this.at;
    const o = this.o;
    // A character loop costs ~3 ns a byte, the native write ~60 ns a call: short strings loop.
    if (s.length > 20) {
      this.o = o + (buf as FastBuffer).latin1Write(s, o);
      return;
    }
    for (let i = 0; i < s.length; i++) buf[o + i] = s.charCodeAt(i);
    this.o = o + s.length;
  }

  bytes(src: Uint8Array): void {
    const buf = this.at;
    const o = this.o;
    if (src.length > 16) buf.set(src, o);
    else for (let i = 0; i < src.length; i++) buf[o + i] = src[i]!;
    this.o = o + src.length;
  }

  /** A whole number as JSON writes it. */
  int(n: number): void {
    const buf = this.at;
    let o = this.o;
    if (n < 0) {
      buf[o++] = 45;
      n = -n;
    }
    if (n > 2 ** 52 || n !== Math.floor(n)) {
      this.o = o;
      this.ascii(String(n));
      return;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    for (let i = digits - 1; i >= 0; i--) {
      buf[o + i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.o = o + digits;
  }

  /** Any finite number as JSON (and a template literal) writes it. */
  num(x: number): void {
    if (x === Math.floor(x) && Math.abs(x) < 2 ** 52) {
      this.int(x);
      return;
    }
    // Coordinates are rounded to six decimals (`round6`): such a number's shortest form, which is
    // what String() writes, is its six decimals without trailing zeros. Written as digits here, as
    // String() of a fraction cost more than the rest of a redemption's numbers; anything else, or
    // a value that is not exactly millionths, goes through String().
    const millionths = Math.round(x * 1e6);
    if (millionths / 1e6 !== x || Math.abs(millionths) >= 2 ** 31 * 1000) {
      this.ascii(String(x));
      return;
    }
    const buf = this.at;
    let o = this.o;
    let m = millionths;
    if (m < 0) {
      buf[o++] = 45;
      m = -m;
    }
    const whole = Math.floor(m / 1e6);
    let frac = m - whole * 1e6;
    this.o = o;
    this.int(whole);
    o = this.o;
    buf[o++] = 46;
    let digits = 6;
    while (frac % 10 === 0) {
      frac /= 10;
      digits--;
    }
    for (let i = digits - 1; i >= 0; i--) {
      buf[o + i] = 48 + (frac % 10);
      frac = Math.floor(frac / 10);
    }
    this.o = o + digits;
  }

  /** Where the next byte of the line goes (for `repeat`). */
  get position(): number {
    return this.o;
  }

  /** Copies `length` bytes of the current line from `from` to the end (a shared id part). */
  repeat(from: number, length: number): void {
    const buf = this.at;
    const o = this.o;
    for (let i = 0; i < length; i++) buf[o + i] = buf[from + i]!;
    this.o = o + length;
  }

  /** Writes `kind_` + ten time and twelve random id characters (as `simId`); `text` reads it back
   * when it is needed as a string (no caller needs the claim's or the redemption's own id). */
  id(prefix: string, timeMs: number, rng: Rng): void {
    const buf = this.at;
    let o = this.o;
    for (let i = 0; i < prefix.length; i++) buf[o + i] = prefix.charCodeAt(i);
    o += prefix.length;
    this.o = writeIdDigits(buf, o, timeMs, rng);
  }

  /** The line's bytes from `from` to `to` as a string (an id written with `id` or `repeat`). */
  text(from: number, to: number): string {
    return (this.at as FastBuffer).latin1Slice(from, to);
  }

  end(): void {
    const b = this.line!;
    const buf = this.at;
    const o = this.o;
    if (o + 1 > buf.length) throw new Error(`simulator: a line outgrew the ${buf.length - b.used} bytes reserved for it`);
    buf[o] = 10;
    this.close(b, o + 1);
    this.line = undefined;
  }

  /** The day's bucket with room for a line of `body` bytes after the header. */
  private headerOf(timeMs: number, type: EventType, body: number): DayBucket {
    const day = Math.floor((Math.floor(timeMs) + CST_MS) / DAY_MS);
    const b = this.days.get(day) ?? this.open(day);
    // 90 bytes of header at most.
    const need = 96 + typePart(type).length + body;
    if (b.used + need > b.buf.length) {
      this.retire(b);
      if (need > b.buf.length) b.buf = newChunk(need);
    }
    return b;
  }

  /** Writes the header at the bucket's end; returns where the body starts. */
  private header(b: DayBucket, timeMs: number, type: EventType): number {
    const t = Math.floor(timeMs);
    const local = t + CST_MS;
    const day = b.day;
    const buf = b.buf;
    let o = putBytes(buf, b.used, EVENT_PREFIX);
    // The event id: ten base-32 digits of the time, twelve random ones (as core `newId`).
    o = writeIdDigits(buf, o, t, this.idRng);
    o = putBytes(buf, o, typePart(type));
    o = putBytes(buf, o, b.prefix);
    this.lineMs = local - day * DAY_MS;
    o = writeClock(buf, o, this.lineMs);
    return putBytes(buf, o, CLOCK_TAIL);
  }

  /** Books the line that ends at `end` (its newline included). */
  private close(b: DayBucket, end: number): void {
    const start = b.used;
    b.used = end;
    this.seq++;
    this.counts[this.lineType] = (this.counts[this.lineType] ?? 0) + 1;
    if (b.n === b.times.length) grow(b);
    b.times[b.n] = this.lineMs;
    b.lengths[b.n] = end - start;
    b.n++;
  }

  /** The header is written as bytes (id and clock digits straight from their tables), the body
   * after it; `from` skips the body's opening brace. */
  private put(timeMs: number, type: EventType, body: string, from: number, unicode: boolean): void {
    // Three bytes per UTF-16 unit is the most UTF-8 can need.
    const b = this.headerOf(timeMs, type, unicode ? body.length * 3 : body.length);
    this.lineType = type;
    let o = this.header(b, timeMs, type);
    const buf = b.buf as FastBuffer;
    if (unicode) o += buf.utf8Write(from ? body.slice(from) : body, o);
    else o += buf.latin1Write(body, o);
    buf[o++] = 10;
    this.close(b, o);
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

/** The buffers a day's runs own (times, lengths, chunks), each once: the transfer list that moves
 * them to another thread without a copy. */
export function runBuffers(runs: readonly { times: Int32Array; lengths: Uint32Array; chunks: readonly Uint8Array[] }[]): ArrayBuffer[] {
  const owned = new Set<ArrayBuffer>();
  for (const r of runs) {
    owned.add(r.times.buffer as ArrayBuffer);
    owned.add(r.lengths.buffer as ArrayBuffer);
    for (const c of r.chunks) owned.add(c.buffer as ArrayBuffer);
  }
  return [...owned];
}

function grow(b: DayBucket): void {
  const times = new Int32Array(b.times.length * 2);
  times.set(b.times);
  b.times = times;
  const lengths = new Uint32Array(b.lengths.length * 2);
  lengths.set(b.lengths);
  b.lengths = lengths;
}

/**
 * Ten base-32 digits of the time and twelve random ones, as core `newId`. The time is split in
 * two small integers first: digit arithmetic on a double of 2^40 kept boxing numbers.
 */
function writeIdDigits(buf: Uint8Array, o: number, timeMs: number, rng: Rng): number {
  const t = Math.max(0, Math.floor(timeMs));
  // Low 30 bits: six digits; the rest: four digits (2^50 ms is far beyond any campaign).
  let lo = t % 1073741824 | 0;
  let hi = Math.floor(t / 1073741824) | 0;
  for (let i = 9; i >= 4; i--) {
    buf[o + i] = ID_CODES[lo & 31]!;
    lo >>>= 5;
  }
  for (let i = 3; i >= 0; i--) {
    buf[o + i] = ID_CODES[hi & 31]!;
    hi >>>= 5;
  }
  o += 10;
  for (let i = 0; i < 12; i++) buf[o++] = ID_CODES[(rng.next() * 32) | 0]!;
  return o;
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

/**
 * A sink that keeps nothing, for a copy of the city that only serves as the stage of another
 * shard. Lines are still written (into one scratch buffer) so every act draws the same random
 * numbers and returns the same ids as it would in a real sink.
 */
class DiscardSink extends EventSink {
  private readonly scratch = Buffer.alloc(1 << 20);

  constructor() {
    super('', { next: () => 0 } as unknown as Rng);
  }

  override emit(): void {}
  override emitRaw(): void {}

  override begin(_timeMs: number, _type: EventType, reserve: number): void {
    if (reserve > this.scratch.length / 2) throw new Error(`simulator: a discarded line of ${reserve} bytes`);
    this.at = this.scratch;
    this.o = 0;
  }

  override end(): void {
    this.o = 0;
  }
}

export const DISCARD: EventSink = new DiscardSink();
