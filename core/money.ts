// Money is integer fen end to end; yuan appear only when formatting for people.
export type Fen = number;

export function assertFen(value: number, field: string): Fen {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${field} must be a non-negative integer number of fen, got ${value}`);
  return value;
}

export function yuanToFen(yuan: number): Fen {
  return Math.round(yuan * 100);
}

/** 12345 → "123.45" */
export function formatYuan(fen: Fen): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
