// A median over a changing set of values, recomputed only when asked after a change.
export class LazyMedian {
  private readonly values = new Map<string, number>();
  private cached: number | null = null;
  private dirty = false;

  set(key: string, value: number): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    this.dirty = true;
  }

  get size(): number {
    return this.values.size;
  }

  median(): number | null {
    if (this.dirty) {
      this.cached = medianOf([...this.values.values()]);
      this.dirty = false;
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
