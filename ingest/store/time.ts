// Values for DateTime64(3, 'UTC') columns. Inserts parse times best-effort (store/settings.ts):
// contract times go in as the ISO-8601 strings with offset they are; times the engine makes itself
// (receivedAt, appliedAt) as 'YYYY-MM-DD hh:mm:ss.sss' in UTC.
export function chTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/**
 * A contract time (ISO-8601 with offset, validated by core/events.ts) for the column: passed as is,
 * ClickHouse reads the offset. Fractions beyond milliseconds are dropped by the column type.
 */
export function chTimeFromIso(iso: string): string {
  return iso;
}
