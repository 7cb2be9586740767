// Collects generated events and hands them back sorted by occurredAt. Generation goes entity by
// entity, not in time order, so events are spilled to one temporary file per CST day and each day
// is sorted on its own: memory stays bounded by the busiest day, not by the whole city.
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { toCstIso } from '../core/clock.ts';
import type { EventType } from '../core/events.ts';
import { newId } from '../core/ids.ts';
import type { Rng } from '../core/rng.ts';

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;
const FLUSH_CHARS = 1 << 20;
// A line is "<13-digit ms><10-digit seq><json>": fixed-width keys make a plain string sort order
// by time and then by generation order, a stable tie-break that keeps same seed → same bytes.
const KEY_CHARS = 23;

export class EventSink {
  private readonly buffers = new Map<number, { parts: string[]; chars: number }>();
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
    const t = Math.floor(timeMs);
    const head = `{"eventId":"${newId('event', t, this.idRng)}","type":"${type}","occurredAt":"${toCstIso(t)}",`;
    const line = String(t).padStart(13, '0') + String(this.seq++).padStart(10, '0') + head + JSON.stringify(body).slice(1) + '\n';
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    const day = Math.floor((t + CST_MS) / DAY_MS);
    let buf = this.buffers.get(day);
    if (!buf) this.buffers.set(day, (buf = { parts: [], chars: 0 }));
    buf.parts.push(line);
    buf.chars += line.length;
    if (buf.chars >= FLUSH_CHARS) this.flush(day, buf);
  }

  private flush(day: number, buf: { parts: string[]; chars: number }): void {
    if (buf.parts.length === 0) return;
    appendFileSync(join(this.spillDir, `${day}.ndjson`), buf.parts.join(''));
    buf.parts = [];
    buf.chars = 0;
  }

  /** Sorted NDJSON, in chunks of whole lines; removes the spill files as it goes. */
  *sortedChunks(): Generator<string> {
    for (const [day, buf] of this.buffers) this.flush(day, buf);
    const days = [...this.buffers.keys()].sort((a, b) => a - b);
    for (const day of days) {
      const file = join(this.spillDir, `${day}.ndjson`);
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.pop();
      lines.sort();
      rmSync(file);
      let chunk: string[] = [];
      let chars = 0;
      for (const l of lines) {
        const s = l.slice(KEY_CHARS);
        chunk.push(s);
        chars += s.length;
        if (chars >= FLUSH_CHARS) {
          yield chunk.join('\n') + '\n';
          chunk = [];
          chars = 0;
        }
      }
      if (chunk.length) yield chunk.join('\n') + '\n';
    }
    this.buffers.clear();
  }

  dispose(): void {
    rmSync(this.spillDir, { recursive: true, force: true });
  }
}
