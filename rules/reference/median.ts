// A median over a changing set of values, recomputed only when asked after a change.
export class LazyMedian {
  private readonly values = new Map<string, number>();
  private cached: number | null = null;
  private changes = 0;

  set(key: string, value: number): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    this.changes++;
  }

  get size(): number {
    return this.values.size;
  }

  /**
   * Recomputed once the values changed by a tenth of their number (at least once per change
   * for small sets): a median moves slowly, and sorting on every event would cost O(n log n) each.
   * Depends only on the order of updates, so a replay gives the same answers.
   */
  median(): number | null {
    if (this.changes > 0 && (this.cached === null || this.changes >= Math.max(1, this.values.size / 10))) {
      // A typed array sorts numbers without a comparator call per step; same median.
      const xs = new Float64Array(this.values.size);
      let i = 0;
      for (const v of this.values.values()) xs[i++] = v;
      xs.sort();
      const mid = xs.length >> 1;
      this.cached = xs.length === 0 ? null : xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
      this.changes = 0;
    }
    return this.cached;
  }
}

export function medianOf(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
