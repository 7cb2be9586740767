// Collects generated events and hands them back sorted by occurredAt. Generation goes entity by
// entity, not in time order, so lines are kept per CST day as encoded bytes with their times
// beside them; each day is then sorted on its own by moving byte ranges, never decoding the text
// again. Past a memory budget the bytes are spilled to one temporary file per day, so memory stays
// bounded by the busiest day, not by the whole city.
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import type { EventType } from '../core/events.ts';
import { simId } from './fastid.ts';
import type { Rng } from '../core/rng.ts';

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;
const BUFFER_BYTES = 256 * 1024;
// Small on purpose: holding the city's 1.4 GB as buffers made V8 run full collections for the
// external memory and cost more CPU (85 s against 52 s measured) than writing and re-reading
// spill files that stay in the page cache.
export const DEFAULT_MEMORY_BUDGET = 64 * 1024 * 1024;
// Lines per day the sort key can index: 2^26, with 86.4 M ms in a day the key stays below 2^53.
const INDEX_LIMIT = 2 ** 26;

interface DayBucket {
  file: string;
  /** Lines are encoded as soon as they are made: a string kept until a later flush would survive
   * young-generation collections and cost an old-generation one, which dominated the profile. */
  buf: Buffer;
  used: number;
  /** Full buffers not yet spilled. */
  held: Buffer[];
  spilled: boolean;
  /** Per line, in the order written: milliseconds into the CST day times 2^26 plus the line's
   * index, so a plain numeric sort of the typed array orders by time with ties in generation
   * order (no comparator calls: the comparator sort cost a second per million lines). */
  keys: Float64Array;
  /** Per line, its length in bytes, so the sort never searches the text for newlines. */
  lengths: Uint32Array;
  n: number;
  /** ISO prefix of the day, "2026-05-01T". */
  prefix: string;
}

export class EventSink {
  private readonly days = new Map<number, DayBucket>();
  private seq = 0;
  private heldBytes = 0;
  /** Spilled buffers for reuse: allocating a fresh 256 KB buffer per retire grew external memory
   * by the whole file's size, and V8 answers external growth with full collections. */
  private readonly free: Buffer[] = [];
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly spillDir: string,
    private readonly idRng: Rng,
    private readonly memoryBudget = DEFAULT_MEMORY_BUDGET,
  ) {}

  get total(): number {
    return this.seq;
  }

  /** Adds one event; `body` holds the type-specific fields in contract order. */
  emit(timeMs: number, type: EventType, body: object): void {
    this.emitRaw(timeMs, type, JSON.stringify(body).slice(1));
  }

  /**
   * Adds one event whose body is already JSON: the type-specific members and the closing brace,
   * without the opening one (`"a":1,"b":"x"}`). Callers must only put JSON-safe text in it.
   */
  emitRaw(timeMs: number, type: EventType, body: string): void {
    const t = Math.floor(timeMs);
    const local = t + CST_MS;
    const day = Math.floor(local / DAY_MS);
    let b = this.days.get(day);
    if (!b) {
      b = {
        file: join(this.spillDir, `${day}.ndjson`),
        buf: Buffer.allocUnsafe(BUFFER_BYTES),
        used: 0,
        held: [],
        spilled: false,
        keys: new Float64Array(1024),
        lengths: new Uint32Array(1024),
        n: 0,
        prefix: new Date(day * DAY_MS).toISOString().slice(0, 11),
      };
      this.days.set(day, b);
    }
    const line = `{"eventId":"${simId('event', t, this.idRng)}","type":"${type}","occurredAt":"${b.prefix}${clockOf(local - day * DAY_MS)}+08:00",${body}\n`;
    this.seq++;
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    // Three bytes per UTF-16 unit is the most UTF-8 can need.
    if (b.used + line.length * 3 > b.buf.length) {
      this.retire(b);
      if (line.length * 3 > b.buf.length) b.buf = Buffer.allocUnsafe(line.length * 3);
    }
    const bytes = b.buf.write(line, b.used, 'utf8');
    b.used += bytes;
    if (b.n === b.keys.length) grow(b);
    if (b.n >= INDEX_LIMIT) throw new Error(`simulator: more than ${INDEX_LIMIT} events on one day`);
    b.keys[b.n] = (local - day * DAY_MS) * INDEX_LIMIT + b.n;
    b.lengths[b.n] = bytes;
    b.n++;
  }

  /** Moves the day's current buffer to the held list; spills everything once over budget. */
  private retire(b: DayBucket): void {
    if (b.used === 0) return;
    b.held.push(b.buf.subarray(0, b.used));
    this.heldBytes += b.used;
    b.buf = this.free.pop() ?? Buffer.allocUnsafe(BUFFER_BYTES);
    b.used = 0;
    if (this.heldBytes > this.memoryBudget) this.spill();
  }

  private spill(): void {
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
      for (const part of b.held) if (part.buffer.byteLength === BUFFER_BYTES) this.free.push(Buffer.from(part.buffer, part.byteOffset, BUFFER_BYTES));
      b.held = [];
      b.spilled = true;
    }
    this.heldBytes = 0;
  }

  /** Sorted NDJSON, one buffer of whole lines per day; removes any spill files as it goes. */
  *sortedChunks(): Generator<Buffer> {
    for (const b of this.days.values()) this.retire(b);
    const days = [...this.days.keys()].sort((x, y) => x - y);
    for (const day of days) {
      const b = this.days.get(day)!;
      const text = this.dayText(b);
      const n = b.n;
      const starts = new Float64Array(n + 1);
      for (let i = 0, pos = 0; i < n; i++) {
        starts[i] = pos;
        pos += b.lengths[i]!;
      }
      starts[n] = text.length;
      const order = b.keys.subarray(0, n).sort();
      const out = Buffer.allocUnsafe(text.length);
      let off = 0;
      for (let k = 0; k < n; k++) {
        const i = order[k]! % INDEX_LIMIT;
        off += text.copy(out, off, starts[i]!, starts[i + 1]!);
      }
      this.days.delete(day);
      yield out;
    }
  }

  /** The day's lines in generation order: spilled bytes read straight into one buffer with the
   * held ones after them (read-then-concatenate copied the spilled part twice). */
  private dayText(b: DayBucket): Buffer {
    let heldBytes = 0;
    for (const part of b.held) heldBytes += part.length;
    if (!b.spilled && b.held.length === 1) {
      const only = b.held[0]!;
      b.held = [];
      return only;
    }
    let fd = -1;
    let fileBytes = 0;
    if (b.spilled) {
      fd = openSync(b.file, 'r');
      fileBytes = fstatSync(fd).size;
    }
    const text = Buffer.allocUnsafe(fileBytes + heldBytes);
    try {
      for (let got = 0; got < fileBytes; ) {
        const n = readSync(fd, text, got, fileBytes - got, got);
        if (n === 0) throw new Error(`simulator: spill file ${b.file} ended early`);
        got += n;
      }
    } finally {
      if (fd >= 0) {
        closeSync(fd);
        rmSync(b.file);
      }
    }
    let off = fileBytes;
    for (const part of b.held) off += part.copy(text, off);
    b.held = [];
    b.buf = Buffer.alloc(0);
    return text;
  }

  dispose(): void {
    this.days.clear();
    rmSync(this.spillDir, { recursive: true, force: true });
  }
}

function grow(b: DayBucket): void {
  const keys = new Float64Array(b.keys.length * 2);
  keys.set(b.keys);
  b.keys = keys;
  const lengths = new Uint32Array(b.lengths.length * 2);
  lengths.set(b.lengths);
  b.lengths = lengths;
}

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** "hh:mm:ss.mmm" for milliseconds into a day, from tables: cheaper than a Date per event. */
function clockOf(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${TWO[Math.floor(s / 3600)]}:${TWO[Math.floor(s / 60) % 60]}:${TWO[s % 60]}.${THREE[ms % 1000]}`;
}
