// A median over a changing set of values, recomputed only when asked after a change.
import { grown } from '../../core/typed-arrays.ts';

export class LazyMedian {
  /**
   * Keyed by small whole numbers (the reference state numbers its merchants): per key its value's
   * place in `values` + 1 (0: no value yet); the values side by side in the order their keys
   * first came, as a Map's would iterate. Two typed-array reads per update instead of a Map probe,
   * and a median copies one run of numbers.
   */
  private slots = new Int32Array(16);
  private values = new Float64Array(16);
  private count = 0;
  /** Where a median moves the values around (reused: the values keep their order). */
  private scratch = new Float64Array(0);
  private cached: number | null = null;
  private changes = 0;

  set(key: number, value: number): void {
    if (key >= this.slots.length) this.slots = grown(this.slots, Math.max(key + 1, this.slots.length * 2));
    const s = this.slots[key]!;
    if (s === 0) {
      if (this.count === this.values.length) this.values = grown(this.values, this.values.length * 2);
      this.values[this.count++] = value;
      this.slots[key] = this.count;
    } else {
      if (this.values[s - 1] === value) return;
      this.values[s - 1] = value;
    }
    this.changes++;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Recomputed once the values changed by a tenth of their number (at least once per change
   * for small sets): a median moves slowly, and sorting on every event would cost O(n log n) each.
   * Depends only on the order of updates, so a replay gives the same answers.
   */
  median(): number | null {
    if (this.changes > 0 && (this.cached === null || this.changes >= Math.max(1, this.count / 10))) {
      // A typed array sorts numbers without a comparator call per step; same median.
      const n = this.count, mid = n >> 1;
      if (this.scratch.length < n) this.scratch = new Float64Array(this.values.length);
      const xs = this.scratch;
      for (let i = 0; i < n; i++) xs[i] = this.values[i]!;
      if (n === 0) this.cached = null;
      else if (n % 2) this.cached = select(xs, n, mid);
      else {
        const hi = select(xs, n, mid);
        // After selecting mid, everything before it is at most xs[mid]: the lower middle is their max.
        let lo = -Infinity;
        for (let i = 0; i < mid; i++) if (xs[i]! > lo) lo = xs[i]!;
        this.cached = (lo + hi) / 2;
      }
      this.changes = 0;
    }
    return this.cached;
  }
}

/**
 * The k-th smallest of xs[0..n) (0-based), moving them around (Hoare's selection, middle pivot): the
 * value a sort would put at k, in linear time on average. Values are finite numbers.
 */
function select(xs: Float64Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

export function medianOf(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
