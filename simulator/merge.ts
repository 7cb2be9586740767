// Puts one CST day of events in time order: the day's lines from every shard (each shard's spill
// file if it spilled, then its chunks, transferred from the thread that made them; lines in
// generation order) are gathered in one arena, sorted by a packed numeric key and copied into the
// second half of the same arena. Ties keep shard order, then generation order, so the bytes never
// depend on which thread made which shard, or when.
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

export class DayMerger {
  // Reused from day to day: fresh memory is fresh pages, and faulting them in cost more than the
  // copies themselves (Buffer#copy into a new buffer ran at 9 µs per 700-byte line, 0.3 µs after).
  private arena = new Uint8Array(0);
  private keys = new Float64Array(0);
  private starts = new Float64Array(0);
  private runBytes = new Uint8Array(0);

  /** The day's lines sorted by time; the buffer is overwritten by the next call. */
  merge(sources: readonly DaySource[]): Buffer {
    return this.sortDay(sources).bytes;
  }

  /** Some shards' lines of a day merged (`ranks`: each source's shard, ascending) into `file`,
   * with what `mergeWith` needs to merge the other shards' lines in later. A file, not a new
   * buffer: writing 1.3 GB of runs into the page cache and reading them back cost less than
   * faulting in as much fresh memory (as with the shards' spill files). */
  premerge(sources: readonly DaySource[], ranks: readonly number[], file: string): SortedRun {
    const { bytes, order, n } = this.sortDay(sources);
    const run: SortedRun = { file, bytes: bytes.length, times: new Int32Array(n), lengths: new Uint32Array(n), ranks: new Uint16Array(n) };
    const fd = openSync(file, 'w');
    try {
      writeFrom(fd, bytes, 0, 0);
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

  /** A day's bytes in time order from a `premerge`d run and the other shards' lines (`ranks`:
   * their shards, ascending; none of them in the run), as pieces to write one after another:
   * blocks of the run between the other lines, so the run's bytes are not copied again. The pieces
   * of the other lines are overwritten by the next call. */
  mergeWith(sorted: SortedRun, sources: readonly DaySource[], ranks: readonly number[]): Uint8Array[] {
    if (this.runBytes.length < sorted.bytes) this.runBytes = new Uint8Array(Math.ceil(sorted.bytes * 1.25));
    readWhole(sorted.file, this.runBytes, 0, sorted.bytes);
    const run = { ...sorted, bytes: this.runBytes.subarray(0, sorted.bytes) };
    if (sources.length === 0) return [run.bytes];
    const rest = this.sortDay(sources);
    const firstLine = firstLines(sources);
    const starts = this.starts;
    const pieces: Uint8Array[] = [];
    let i = 0; // next line of the run
    let at = 0; // its byte offset in the run
    let restFrom = 0, restAt = 0; // the rest's lines not yet in a piece, in `rest.bytes`
    for (let k = 0, src = 0; k < rest.n; k++) {
      const key = rest.order[k]!;
      const line = key % INDEX_LIMIT;
      const time = (key - line) / INDEX_LIMIT;
      while (src + 1 < sources.length && firstLine[src + 1]! <= line) src++;
      while (src > 0 && firstLine[src]! > line) src--;
      const rank = ranks[src]!;
      // The run's lines that come first: earlier, or as early from a shard before this one.
      let end = at;
      while (i < run.times.length && (run.times[i]! < time || (run.times[i] === time && run.ranks[i]! < rank))) end += run.lengths[i++]!;
      if (end > at) {
        if (restAt > restFrom) pieces.push(rest.bytes.subarray(restFrom, restAt));
        restFrom = restAt;
        pieces.push(run.bytes.subarray(at, end));
        at = end;
      }
      restAt += starts[line + 1]! - starts[line]!;
    }
    if (restAt > restFrom) pieces.push(rest.bytes.subarray(restFrom, restAt));
    if (at < run.bytes.length) pieces.push(run.bytes.subarray(at));
    if (restAt !== rest.bytes.length) throw new Error(`simulator: a two-step merge placed ${restAt} of ${rest.bytes.length} bytes`);
    return pieces;
  }

  /** Gathers the sources' lines in the arena and sorts them; the sorted bytes are a view of the
   * arena's second half, `order` the sorted keys (time * INDEX_LIMIT + line). */
  private sortDay(sources: readonly DaySource[]): { bytes: Buffer; order: Float64Array; n: number } {
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
    return { bytes: Buffer.from(arena.buffer, arena.byteOffset + total, total), order, n };
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

/** Writes a merged day at its place in the output file (days are written side by side): one
 * buffer, or pieces one after another. */
export function writeDay(out: string, offset: number, bytes: Uint8Array | readonly Uint8Array[]): void {
  const fd = openSync(out, 'r+');
  try {
    if (bytes instanceof Uint8Array) {
      writeFrom(fd, bytes, 0, offset);
      return;
    }
    let at = offset;
    for (let p = 0; p < bytes.length; p += WRITEV_PIECES) {
      const batch = bytes.slice(p, p + WRITEV_PIECES);
      let written = writevSync(fd, batch, at);
      at += written;
      // A short write (rare for a file) is finished piece by piece.
      for (const piece of batch) {
        if (written >= piece.length) {
          written -= piece.length;
          continue;
        }
        writeFrom(fd, piece, written, at);
        at += piece.length - written;
        written = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
}

// Pieces per writev call (the kernel takes at most IOV_MAX, 1024, at once).
const WRITEV_PIECES = 1024;

/** Writes `bytes` from `from` on at file position `at`. */
function writeFrom(fd: number, bytes: Uint8Array, from: number, at: number): void {
  for (let done = from; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, at + done - from);
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
