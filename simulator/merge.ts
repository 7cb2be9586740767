// Puts one CST day of events in time order: the day's lines from every shard (each shard's spill
// file if it spilled, then its chunks, transferred from the thread that made them; lines in
// generation order) are gathered in one arena and sorted by a packed numeric key; the file gets
// them in that order straight from the arena, line by line with `writev`, so the arena holds the
// day once, not twice (a sorted copy is made only for `merge`, the in-process stream). Ties keep
// shard order, then generation order, so the bytes never depend on which thread made which shard,
// or when.
//
// A day can also be merged in two steps (`premerge`, then `mergeWith`): the shards done so far
// first, into a sorted run that remembers each line's time and shard, and the rest later. The key
// is a total order and the two steps hold different shards, so merging the run with the rest by
// (time, shard) gives the same order as one merge. It lets a thread that would wait for the last
// shard do most of the merge meanwhile.
import { closeSync, openSync, readSync, unlinkSync, writeSync, writevSync } from 'node:fs';

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
// The radix sort takes times in two digits of 14 bits (a day has 86.4 M ms, below 2^28), from
// this many lines on (below, clearing its counts costs more than it saves).
const RADIX_BITS = 14;
const RADIX = 2 ** RADIX_BITS;
const RADIX_MASK = RADIX - 1;
const RADIX_FROM = 2_048;

export class DayMerger {
  // Reused from day to day: fresh memory is fresh pages, and faulting them in cost more than the
  // copies themselves (Buffer#copy into a new buffer ran at 9 µs per 700-byte line, 0.3 µs after).
  // One arena per thread for every step: the day's gathered lines, and for `mergeWith` the run
  // read back after them (a second buffer for runs, and a second half for sorted copies, made
  // each worker fault in about twice the largest day again).
  private arena = new Uint8Array(0);
  private keys = new Float64Array(0);
  private starts = new Float64Array(0);
  // For the radix sort (see `sortKeys`): each line's time, and line numbers in two orders.
  private times = new Int32Array(0);
  private byLow = new Uint32Array(0);
  private byTime = new Uint32Array(0);
  private readonly counts = new Uint32Array(RADIX);

  /** The day's lines sorted by time, as one buffer (the in-process stream); overwritten by the
   * next call. */
  merge(sources: readonly DaySource[]): Buffer {
    const { total, order, n } = this.sortDay(sources, totalBytes(sources));
    const arena = this.arena, starts = this.starts;
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

  /** Writes the day's lines sorted by time at `offset` of the file `out` (days are written side by
   * side, each at its place). */
  write(sources: readonly DaySource[], out: string, offset: number): void {
    const { order, n } = this.sortDay(sources, 0);
    const fd = openSync(out, 'r+');
    try {
      const pieces = new PieceWriter(fd, offset);
      this.writeLines(pieces, order, 0, n);
      pieces.flush();
    } finally {
      closeSync(fd);
    }
  }

  /** Some shards' lines of a day merged (`ranks`: each source's shard, ascending) into `file`,
   * with what `mergeWith` needs to merge the other shards' lines in later. A file, not a new
   * buffer: writing 1.3 GB of runs into the page cache and reading them back cost less than
   * faulting in as much fresh memory (as with the shards' spill files). */
  premerge(sources: readonly DaySource[], ranks: readonly number[], file: string): SortedRun {
    const { total, order, n } = this.sortDay(sources, 0);
    const run: SortedRun = { file, bytes: total, times: new Int32Array(n), lengths: new Uint32Array(n), ranks: new Uint16Array(n) };
    const fd = openSync(file, 'w');
    try {
      const pieces = new PieceWriter(fd, 0);
      this.writeLines(pieces, order, 0, n);
      pieces.flush();
    } finally {
      closeSync(fd);
    }
    const firstLine = firstLines(sources);
    const starts = this.starts;
    for (let k = 0, src = 0; k < n; k++) {
      const key = order[k]!;
      const i = key % INDEX_LIMIT;
      while (src + 1 < sources.length && firstLine[src + 1]! <= i) src++;
      while (src > 0 && firstLine[src]! > i) src--;
      if (ranks[src]! > 65_535) throw new Error(`simulator: shard rank ${ranks[src]} does not fit a merged run`);
      run.times[k] = (key - i) / INDEX_LIMIT;
      run.lengths[k] = starts[i + 1]! - starts[i]!;
      run.ranks[k] = ranks[src]!;
    }
    return run;
  }

  /** Writes a day in time order at `offset` of `out` from a `premerge`d run and the other shards'
   * lines (`ranks`: their shards, ascending; none of them in the run): blocks of the run between
   * the other lines, all of them from the arena (the run is read back after the other lines). */
  mergeWith(sorted: SortedRun, sources: readonly DaySource[], ranks: readonly number[], out: string, offset: number): void {
    const rest = this.sortDay(sources, sorted.bytes);
    const arena = this.arena;
    const runAt = rest.total;
    readWhole(sorted.file, arena, runAt, sorted.bytes);
    const firstLine = firstLines(sources);
    const fd = openSync(out, 'r+');
    try {
      const pieces = new PieceWriter(fd, offset);
      let i = 0; // next line of the run
      let at = runAt; // its byte offset in the arena
      let k = 0; // next of the other lines, in order
      for (let src = 0; k < rest.n; k++) {
        const key = rest.order[k]!;
        const line = key % INDEX_LIMIT;
        const time = (key - line) / INDEX_LIMIT;
        while (src + 1 < sources.length && firstLine[src + 1]! <= line) src++;
        while (src > 0 && firstLine[src]! > line) src--;
        const rank = ranks[src]!;
        // The run's lines that come first: earlier, or as early from a shard before this one.
        let end = at;
        while (i < sorted.times.length && (sorted.times[i]! < time || (sorted.times[i] === time && sorted.ranks[i]! < rank))) end += sorted.lengths[i++]!;
        if (end > at) {
          pieces.add(arena, at, end);
          at = end;
        }
        this.writeLines(pieces, rest.order, k, k + 1);
      }
      if (at < runAt + sorted.bytes) pieces.add(arena, at, runAt + sorted.bytes);
      if (pieces.placed !== sorted.bytes + rest.total) throw new Error(`simulator: a two-step merge placed ${pieces.placed} of ${sorted.bytes + rest.total} bytes`);
      pieces.flush();
    } finally {
      closeSync(fd);
    }
  }

  /** The lines `order[from..to)` as pieces of the arena (lines that follow each other there make
   * one piece). */
  private writeLines(pieces: PieceWriter, order: Float64Array, from: number, to: number): void {
    const arena = this.arena, starts = this.starts;
    for (let k = from; k < to; k++) {
      const i = order[k]! % INDEX_LIMIT;
      pieces.add(arena, starts[i]!, starts[i + 1]!);
    }
  }

  /** Gathers the sources' lines at the start of the arena (with `spare` bytes of room after them)
   * and sorts them: `order` holds the sorted keys (time * INDEX_LIMIT + line), `starts` each
   * line's offset. */
  private sortDay(sources: readonly DaySource[], spare: number): { total: number; order: Float64Array; n: number } {
    const total = totalBytes(sources);
    let n = 0;
    for (const s of sources) n += s.times.length;
    if (n >= INDEX_LIMIT) throw new Error(`simulator: more than ${INDEX_LIMIT} events on one day`);
    if (this.arena.length < total + spare) this.arena = new Uint8Array(Math.ceil((total + spare) * 1.25));
    if (this.keys.length < n + 1) {
      this.keys = new Float64Array(Math.ceil((n + 1) * 1.25));
      this.starts = new Float64Array(this.keys.length);
      this.times = new Int32Array(this.keys.length);
      this.byLow = new Uint32Array(this.keys.length);
      this.byTime = new Uint32Array(this.keys.length);
    }
    const arena = this.arena, keys = this.keys, starts = this.starts, lineTimes = this.times;
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
        lineTimes[line] = times[i]!;
        pos += lengths[i]!;
      }
    }
    if (pos !== total) throw new Error(`simulator: day lines add up to ${pos} bytes, files hold ${total}`);
    starts[n] = total;
    return { total, order: this.sortKeys(n), n };
  }

  /** The keys (time * INDEX_LIMIT + line) of lines 0..n in ascending order. A big day's lines are
   * put in order by time with a stable two-pass radix sort (lines are numbered in key order
   * within a time, so stable is the same order), not by sorting the keys as numbers:
   * 5 against 25 ms for 280,000 lines at random times (same keys out, compared). */
  private sortKeys(n: number): Float64Array {
    const keys = this.keys.subarray(0, n), times = this.times;
    let fits = n >= RADIX_FROM;
    for (let i = 0; fits && i < n; i++) fits = times[i]! >= 0 && times[i]! < RADIX * RADIX;
    if (!fits) {
      for (let i = 0; i < n; i++) keys[i] = times[i]! * INDEX_LIMIT + i;
      return keys.sort();
    }
    const counts = this.counts, byLow = this.byLow, byTime = this.byTime;
    // By the low bits of the time, lines in their own order...
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[times[i]! & RADIX_MASK]!++;
    for (let d = 0, at = 0; d < RADIX; d++) {
      const c = counts[d]!;
      counts[d] = at;
      at += c;
    }
    for (let i = 0; i < n; i++) byLow[counts[times[i]! & RADIX_MASK]!++] = i;
    // ...then by the high bits, keeping that order.
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[times[i]! >>> RADIX_BITS]!++;
    for (let d = 0, at = 0; d < RADIX; d++) {
      const c = counts[d]!;
      counts[d] = at;
      at += c;
    }
    for (let k = 0; k < n; k++) {
      const i = byLow[k]!;
      byTime[counts[times[i]! >>> RADIX_BITS]!++] = i;
    }
    for (let k = 0; k < n; k++) {
      const i = byTime[k]!;
      keys[k] = times[i]! * INDEX_LIMIT + i;
    }
    return keys;
  }
}

/** Pieces of one buffer written one after another from a file position, `writev` by `writev`: a
 * piece that starts where the previous one ended in the same buffer joins it. */
class PieceWriter {
  private readonly batch: Uint8Array[] = [];
  private buf?: Uint8Array;
  private from = 0;
  private to = 0;
  private written = 0;
  /** Bytes given so far (written or not). */
  placed = 0;

  constructor(
    private readonly fd: number,
    private readonly at: number,
  ) {}

  add(buf: Uint8Array, from: number, to: number): void {
    if (buf === this.buf && from === this.to) {
      this.to = to;
    } else {
      this.close();
      this.buf = buf;
      this.from = from;
      this.to = to;
    }
    this.placed += to - from;
  }

  /** Writes every piece. */
  flush(): void {
    this.close();
    this.send();
  }

  private close(): void {
    if (this.buf && this.to > this.from) {
      this.batch.push(this.buf.subarray(this.from, this.to));
      if (this.batch.length === WRITEV_PIECES) this.send();
    }
    this.buf = undefined;
  }

  private send(): void {
    if (this.batch.length === 0) return;
    let bytes = 0;
    for (const piece of this.batch) bytes += piece.length;
    writePieces(this.fd, this.batch, this.at + this.written);
    this.written += bytes;
    this.batch.length = 0;
  }
}

/** Lines of some shards of a day in merge order (see `DayMerger.premerge`): `bytes` of them in
 * `file`, removed when the run is merged. */
export interface SortedRun {
  file: string;
  bytes: number;
  /** Per line, milliseconds into the CST day. */
  times: Int32Array;
  lengths: Uint32Array;
  /** Per line, its shard (ties at the same millisecond go by shard). */
  ranks: Uint16Array;
}

/** The buffers of a run, for a transfer list. */
export function sortedRunBuffers(run: SortedRun): ArrayBuffer[] {
  return [run.times.buffer as ArrayBuffer, run.lengths.buffer as ArrayBuffer, run.ranks.buffer as ArrayBuffer];
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

/** Writes pieces one after another from file position `at` (at most WRITEV_PIECES). */
function writePieces(fd: number, pieces: readonly Uint8Array[], at: number): void {
  let written = writevSync(fd, pieces, at);
  at += written;
  // A short write (rare for a file) is finished piece by piece.
  for (const piece of pieces) {
    if (written >= piece.length) {
      written -= piece.length;
      continue;
    }
    writeFrom(fd, piece, written, at);
    at += piece.length - written;
    written = 0;
  }
}

// Pieces per writev call (the kernel takes at most IOV_MAX, 1024, at once).
const WRITEV_PIECES = 1024;

/** Writes `bytes` from `from` on at file position `at`. */
function writeFrom(fd: number, bytes: Uint8Array, from: number, at: number): void {
  for (let done = from; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, at + done - from);
}

function totalBytes(sources: readonly DaySource[]): number {
  let total = 0;
  for (const s of sources) total += s.bytes;
  return total;
}

/** Which source each line came from: lines are numbered source by source, so source k's first
 * line is the count of the lines before it. */
function firstLines(sources: readonly DaySource[]): number[] {
  const first: number[] = [];
  let count = 0;
  for (const s of sources) {
    first.push(count);
    count += s.times.length;
  }
  return first;
}
