// Collects generated events and hands them back sorted by occurredAt. Generation goes entity by
// entity, not in time order, so lines are kept per CST day as encoded bytes with their times
// beside them; each day is then sorted on its own by moving byte ranges, never decoding the text
// again. Past a memory budget the bytes are spilled to one temporary file per day, so memory stays
// bounded by the busiest day, not by the whole city.
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventType } from '../core/events.ts';
import { newId } from '../core/ids.ts';
import type { Rng } from '../core/rng.ts';

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;
const BUFFER_BYTES = 256 * 1024;
// Small on purpose: holding the city's 1.4 GB as buffers made V8 run full collections for the
// external memory and cost more CPU (85 s against 52 s measured) than writing and re-reading
// spill files that stay in the page cache.
export const DEFAULT_MEMORY_BUDGET = 64 * 1024 * 1024;

interface DayBucket {
  file: string;
  /** Lines are encoded as soon as they are made: a string kept until a later flush would survive
   * young-generation collections and cost an old-generation one, which dominated the profile. */
  buf: Buffer;
  used: number;
  /** Full buffers not yet spilled. */
  held: Buffer[];
  spilled: boolean;
  /** occurredAt of each line, in the order written: the index doubles as the stable tie-break. */
  times: number[];
  /** ISO prefix of the day, "2026-05-01T". */
  prefix: string;
}

export class EventSink {
  private readonly days = new Map<number, DayBucket>();
  private seq = 0;
  private heldBytes = 0;
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
      b = { file: join(this.spillDir, `${day}.ndjson`), buf: Buffer.allocUnsafe(BUFFER_BYTES), used: 0, held: [], spilled: false, times: [], prefix: new Date(day * DAY_MS).toISOString().slice(0, 11) };
      this.days.set(day, b);
    }
    const line = `{"eventId":"${newId('event', t, this.idRng)}","type":"${type}","occurredAt":"${b.prefix}${clockOf(local - day * DAY_MS)}+08:00",${body}\n`;
    this.seq++;
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    // Three bytes per UTF-16 unit is the most UTF-8 can need.
    if (b.used + line.length * 3 > b.buf.length) {
      this.retire(b);
      if (line.length * 3 > b.buf.length) b.buf = Buffer.allocUnsafe(line.length * 3);
    }
    b.used += b.buf.write(line, b.used, 'utf8');
    b.times.push(t);
  }

  /** Moves the day's current buffer to the held list; spills everything once over budget. */
  private retire(b: DayBucket): void {
    if (b.used === 0) return;
    b.held.push(b.buf.subarray(0, b.used));
    this.heldBytes += b.used;
    b.buf = Buffer.allocUnsafe(BUFFER_BYTES);
    b.used = 0;
    if (this.heldBytes > this.memoryBudget) this.spill();
  }

  private spill(): void {
    mkdirSync(this.spillDir, { recursive: true });
    for (const b of this.days.values()) {
      if (b.held.length === 0) continue;
      appendFileSync(b.file, Buffer.concat(b.held));
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
      const parts = b.held;
      if (b.spilled) {
        parts.unshift(readFileSync(b.file));
        rmSync(b.file);
      }
      const text = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      b.held = [];
      b.buf = Buffer.alloc(0);
      const n = b.times.length;
      const starts = new Uint32Array(n + 1);
      for (let i = 0, pos = 0; i < n; i++) {
        starts[i] = pos;
        pos = text.indexOf(10, pos) + 1;
      }
      starts[n] = text.length;
      const times = b.times;
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((x, y) => times[x]! - times[y]! || x - y);
      const out = Buffer.allocUnsafe(text.length);
      let off = 0;
      for (let k = 0; k < n; k++) {
        const i = order[k]!;
        const from = starts[i]!, to = starts[i + 1]!;
        out.set(text.subarray(from, to), off);
        off += to - from;
      }
      this.days.delete(day);
      yield out;
    }
  }

  dispose(): void {
    this.days.clear();
    rmSync(this.spillDir, { recursive: true, force: true });
  }
}

/** "hh:mm:ss.mmm" for milliseconds into a day; cheaper than a Date per event. */
function clockOf(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const f = ms % 1000;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${s < 10 ? '0' : ''}${s}.${f < 10 ? '00' : f < 100 ? '0' : ''}${f}`;
}
