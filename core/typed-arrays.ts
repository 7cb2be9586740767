// Growing a typed array: a larger one of the same kind holding the old values, the rest zero or
// `fill`. The feature store, the reference state and the recent-decisions table grow their
// columns this way.
export function grown<T extends Float64Array | Uint8Array | Int32Array>(a: T, n: number, fill?: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}
