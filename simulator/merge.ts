// Puts one CST day of events in time order: the day's lines from every shard (each shard's spill
// file if it spilled, then its chunks, transferred from the thread that made them; lines in generation order) are gathered in one arena, sorted by a packed numeric key and
// copied into the second half of the same arena. Ties keep shard order, then generation order, so
// the bytes never depend on which thread made which shard, or when.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';

/** One shard's lines of the day (see `DayRun` in sink.ts). */
export interface DaySource {
  file: string;
  fileBytes: number;
  chunks: readonly Uint8Array[];
  bytes: number;
  times: Int32Array;
  lengths: Uint32Array;
}

// Lines per day the key can index: 2^26; with 86.4 M ms in a day the key stays below 2^53.
const INDEX_LIMIT = 2 ** 26;

export class DayMerger {
  // Reused from day to day: fresh memory is fresh pages, and faulting them in cost more than the
  // copies themselves (Buffer#copy into a new buffer ran at 9 µs per 700-byte line, 0.3 µs after).
  private arena = new Uint8Array(0);
  private keys = new Float64Array(0);
  private starts = new Float64Array(0);

  /** The day's lines sorted by time; the buffer is overwritten by the next call. */
  merge(sources: readonly DaySource[]): Buffer {
    let total = 0;
    let n = 0;
    for (const s of sources) {
      total += s.bytes;
      n += s.times.length;
    }
    if (n >= INDEX_LIMIT) throw new Error(`simulator: more than ${INDEX_LIMIT} events on one day`);
    if (this.arena.length < 2 * total) this.arena = new Uint8Array(Math.ceil(2 * total * 1.25));
    if (this.keys.length < n + 1) {
      this.keys = new Float64Array(Math.ceil((n + 1) * 1.25));
      this.starts = new Float64Array(this.keys.length);
    }
    const arena = this.arena, keys = this.keys, starts = this.starts;
    let pos = 0;
    let line = 0;
    for (const s of sources) {
      readWhole(s.file, arena, pos, s.fileBytes);
      let at = pos + s.fileBytes;
      for (const c of s.chunks) {
        arena.set(c, at);
        at += c.length;
      }
      if (at - pos !== s.bytes) throw new Error(`simulator: a shard's day holds ${at - pos} bytes, ${s.bytes} announced`);
      const { times, lengths } = s;
      for (let i = 0; i < times.length; i++, line++) {
        starts[line] = pos;
        keys[line] = times[i]! * INDEX_LIMIT + line;
        pos += lengths[i]!;
      }
    }
    if (pos !== total) throw new Error(`simulator: day lines add up to ${pos} bytes, files hold ${total}`);
    starts[n] = total;
    const order = keys.subarray(0, n).sort();
    // copyWithin inside one buffer: no view object per line (Buffer#copy makes one).
    let out = total;
    for (let k = 0; k < n; k++) {
      const i = order[k]! % INDEX_LIMIT;
      const from = starts[i]!, to = starts[i + 1]!;
      arena.copyWithin(out, from, to);
      out += to - from;
    }
    return Buffer.from(arena.buffer, arena.byteOffset + total, total);
  }
}

/** Reads a spill file and removes it: each is merged once, and freeing its pages here, in the
 * thread that merges the day, takes that work (0.8 s of wall time in a two-thread city profile)
 * off the parent's final clean-up, where nothing else runs beside it. */
function readWhole(file: string, into: Uint8Array, at: number, bytes: number): void {
  if (bytes === 0) return;
  const fd = openSync(file, 'r');
  try {
    for (let got = 0; got < bytes; ) {
      const n = readSync(fd, into, at + got, bytes - got, got);
      if (n === 0) throw new Error(`simulator: spill file ${file} ended early`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  unlinkSync(file);
}

/** Writes a merged day at its place in the output file (days are written side by side). */
export function writeDay(out: string, offset: number, bytes: Buffer): void {
  const fd = openSync(out, 'r+');
  try {
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, offset + done);
  } finally {
    closeSync(fd);
  }
}
