// Rows already encoded for an INSERT: JSONCompactEachRow lines, UTF-8, in one byte buffer. A
// writer that keeps rows for a while before inserting them (the decision sink buffers up to
// a second) holds them here as bytes outside the JavaScript heap instead of as row objects: on the
// decision API's thread the buffered rows and their strings were surviving young-generation
// collections (copied, then promoted) only to be serialised once at flush. The bytes go to the
// store as they are (the embedded ClickHouse thread gets a copy of just the slice, no string).

export interface EncodedRows {
  readonly columns: readonly string[];
  /** One line per row: a JSON array of the row's values in `columns` order, then `\n`. */
  readonly body: Uint8Array;
  /** Rows in `body`. */
  readonly length: number;
}

const MIN_CAPACITY = 64 * 1024;

/** Appends encoded lines; `take` hands them out in blocks and starts over on fresh bytes. */
export class EncodedRowsBuilder {
  private bytes: Buffer;
  private used = 0;
  /** End offset of each row's line. */
  private ends: number[] = [];

  constructor(readonly columns: readonly string[]) {
    this.bytes = Buffer.allocUnsafeSlow(MIN_CAPACITY);
  }

  get length(): number {
    return this.ends.length;
  }

  /** `line`: one row as a JSON array (no newline in it: JSON text never holds a raw one). */
  push(line: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; +1 for the newline.
    const most = 3 * line.length + 1;
    if (this.used + most > this.bytes.length) this.grow(this.used + most);
    this.used += this.bytes.write(line, this.used, 'utf8');
    this.bytes[this.used++] = 10;
    this.ends.push(this.used);
  }

  /**
   * Every row pushed so far, in blocks of at most `rowsPerBlock` rows; the builder is empty after.
   * The blocks keep the old bytes (never written again): the next rows go to a new buffer sized
   * from this one, so a steady writer allocates about once per take.
   */
  take(rowsPerBlock: number): EncodedRows[] {
    const blocks: EncodedRows[] = [];
    const per = Math.max(1, Math.floor(rowsPerBlock));
    let start = 0;
    for (let from = 0; from < this.ends.length; from += per) {
      const to = Math.min(this.ends.length, from + per);
      const end = this.ends[to - 1]!;
      blocks.push({ columns: this.columns, body: this.bytes.subarray(start, end), length: to - from });
      start = end;
    }
    const size = Math.max(MIN_CAPACITY, Math.ceil(this.used * 1.25));
    this.bytes = Buffer.allocUnsafeSlow(size);
    this.used = 0;
    this.ends = [];
    return blocks;
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(need, 2 * this.bytes.length));
    this.bytes.copy(next, 0, 0, this.used);
    this.bytes = next;
  }
}
