// Collects generated events and hands them back sorted by occurredAt. Generation goes entity by
// entity, not in time order, so lines are spilled to one temporary file per CST day with their
// times kept in memory; each day is then sorted on its own by moving byte ranges, never decoding
// the text again. Memory stays bounded by the busiest day, not by the whole city.
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventType } from '../core/events.ts';
import { newId } from '../core/ids.ts';
import type { Rng } from '../core/rng.ts';

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;
const FLUSH_CHARS = 1 << 20;

interface DayBucket {
  file: string;
  parts: string[];
  chars: number;
  /** occurredAt of each line, in the order written: the index doubles as the stable tie-break. */
  times: number[];
  /** ISO prefix of the day, "2026-05-01T". */
  prefix: string;
}

export class EventSink {
  private readonly days = new Map<number, DayBucket>();
  private seq = 0;
  readonly counts: Record<string, number> = {};

  constructor(private readonly spillDir: string, private readonly idRng: Rng) {
    mkdirSync(spillDir, { recursive: true });
  }

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
      b = { file: join(this.spillDir, `${day}.ndjson`), parts: [], chars: 0, times: [], prefix: new Date(day * DAY_MS).toISOString().slice(0, 11) };
      this.days.set(day, b);
    }
    const line = `{"eventId":"${newId('event', t, this.idRng)}","type":"${type}","occurredAt":"${b.prefix}${clockOf(local - day * DAY_MS)}+08:00",${body}\n`;
    this.seq++;
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    b.parts.push(line);
    b.times.push(t);
    b.chars += line.length;
    if (b.chars >= FLUSH_CHARS) flush(b);
  }

  /** Sorted NDJSON, one buffer of whole lines per day; removes the spill files as it goes. */
  *sortedChunks(): Generator<Buffer> {
    for (const b of this.days.values()) flush(b);
    const days = [...this.days.keys()].sort((x, y) => x - y);
    for (const day of days) {
      const b = this.days.get(day)!;
      const text = readFileSync(b.file);
      rmSync(b.file);
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
        off += text.copy(out, off, starts[i]!, starts[i + 1]!);
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

function flush(b: DayBucket): void {
  if (b.parts.length === 0) return;
  appendFileSync(b.file, b.parts.join(''));
  b.parts = [];
  b.chars = 0;
}

/** "hh:mm:ss.mmm" for milliseconds into a day; cheaper than a Date per event. */
function clockOf(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const f = ms % 1000;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${s < 10 ? '0' : ''}${s}.${f < 10 ? '00' : f < 100 ? '0' : ''}${f}`;
}
