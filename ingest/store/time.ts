// DateTime64(3, 'UTC') columns take 'YYYY-MM-DD hh:mm:ss.sss' in UTC: unambiguous under the
// default (basic) input format, so inserts do not depend on best-effort parsing settings.
export function chTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** ISO-8601 with offset (validated upstream) → the column format. */
export function chTimeFromIso(iso: string): string {
  return chTime(Date.parse(iso));
}
