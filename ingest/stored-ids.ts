// A Bloom filter of every id the store holds (event tables' eventId, dead letters' deadLetterId),
// in front of the stored-id check of ingest/dedup.ts. It answers "certainly not stored" for almost
// every fresh id, so a batch asks the store only about the few it cannot rule out (repeats and
// ~1% false positives) instead of about every id, a query whose cost grows with the table.
//
// Why this is exact and not a cache that can go stale: the filter never says "stored" on its own
// (a hit only sends the id to the store), and it is filled from the store itself when the ingester
// starts, then with each id before its row is inserted. So an id can be missing from the filter only
// if something wrote it to the store without going through this filter. That is why it is used on
// the embedded store only: a chdb data directory belongs to one process, and in that process the
// ingester is the writer of the event tables. A ClickHouse server can have other writers (another
// ingest process after a rebalance), so there every id still goes to the store.
import type { AnalyticsStore } from './store/analytics-store.ts';
import { DEAD_LETTERS_TABLE, EVENT_TABLES } from './store/rows.ts';

/** Bits per id: about 1% false positives with PROBES probes. */
const BITS_PER_ID = 10;
const PROBES = 7;
const FIRST_CAPACITY = 1 << 16;

/** One fixed-size Bloom filter; StoredIds chains them as ids arrive (memory ~1.25 bytes per id). */
class Bloom {
  readonly bits: Uint32Array;
  readonly mask: number;
  count = 0;

  constructor(readonly capacity: number) {
    // A power of two of bits, at least BITS_PER_ID per id of capacity.
    let size = 1024;
    while (size < capacity * BITS_PER_ID) size *= 2;
    this.bits = new Uint32Array(size >>> 5);
    this.mask = size - 1;
  }

  add(h1: number, h2: number): void {
    for (let i = 0; i < PROBES; i++) {
      const b = (h1 + Math.imul(i, h2)) & this.mask;
      this.bits[b >>> 5]! |= 1 << (b & 31);
    }
    this.count++;
  }

  has(h1: number, h2: number): boolean {
    for (let i = 0; i < PROBES; i++) {
      const b = (h1 + Math.imul(i, h2)) & this.mask;
      if ((this.bits[b >>> 5]! & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }
}

/**
 * A growing Bloom filter: when the newest filter is full a new one twice its size is added, so
 * the false-positive rate stays near 1% per filter whatever the store grows to.
 */
export class StoredIds {
  private filters: Bloom[] = [new Bloom(FIRST_CAPACITY)];
  private h2 = 0;

  get size(): number {
    let n = 0;
    for (const f of this.filters) n += f.count;
    return n;
  }

  add(id: string): void {
    let last = this.filters[this.filters.length - 1]!;
    if (last.count >= last.capacity) this.filters.push((last = new Bloom(last.capacity * 2)));
    const h1 = this.hash(id);
    last.add(h1, this.h2);
  }

  /** False: the id is certainly not in the store. True: it may be; ask the store. */
  mightHave(id: string): boolean {
    const h1 = this.hash(id);
    for (const f of this.filters) if (f.has(h1, this.h2)) return true;
    return false;
  }

  /** Two 32-bit FNV-1a style hashes of the UTF-16 code units in one pass; h2 is kept odd. */
  private hash(id: string): number {
    let a = 0x811c9dc5;
    let b = 0x01000193 ^ id.length;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    a ^= a >>> 13;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 16;
    this.h2 = (b | 1) >>> 0;
    return a >>> 0;
  }
}

/** Columns that hold the ids the ingester deduplicates on, table by table. */
export function idColumns(): [table: string, column: string][] {
  const tables = [...new Set(Object.values(EVENT_TABLES))].map((t): [string, string] => [t, 'eventId']);
  return [...tables, [DEAD_LETTERS_TABLE, 'deadLetterId']];
}

/**
 * Reads every stored id into a new filter, one table at a time: plain ids as raw text lines (a few
 * seconds for millions of rows, once per start), the rare id holding a newline, tab or backslash
 * as JSON so no escaping can alter it. startIngest calls this before its consumers start, so no
 * row is written while it reads.
 */
export async function loadStoredIds(store: AnalyticsStore): Promise<StoredIds> {
  const ids = new StoredIds();
  const odd = (column: string) => `position(${column}, '\\n') > 0 OR position(${column}, '\\t') > 0 OR position(${column}, '\\\\') > 0`;
  for (const [table, column] of idColumns()) {
    const plain = await store.client.query({ query: `SELECT ${column} FROM ${store.database}.${table} WHERE NOT (${odd(column)})`, format: 'TabSeparatedRaw' });
    const text = await plain.text();
    let from = 0;
    while (from < text.length) {
      let to = text.indexOf('\n', from);
      if (to < 0) to = text.length;
      ids.add(text.slice(from, to));
      from = to + 1;
    }
    const rest = await store.client.query({ query: `SELECT ${column} AS id FROM ${store.database}.${table} WHERE ${odd(column)}`, format: 'JSONEachRow' });
    for (const r of (await rest.json()) as { id: string }[]) ids.add(r.id);
  }
  return ids;
}
