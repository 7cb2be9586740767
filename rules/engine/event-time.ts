// Epoch ms of an event's occurredAt. Date.parse cost about a microsecond per event here, as much as
// several rules; contract times almost always have one shape (2026-05-01T10:00:00.123+08:00 or
// …Z), read here digit by digit. Anything else, or any field out of the always-valid range (a day
// past 28 included), goes to Date.parse, so the answer is Date.parse's in every case
// (event-time.test.ts compares the two).
const DIGIT0 = 48;

function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = s.charCodeAt(i) - DIGIT0;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

// Events come in time order, so most share the hour (and zone) of the one before: that hour's
// start is kept, and only minutes, seconds and milliseconds are read for them. A pure memo: the
// answer is the same with or without it.
let lastHead = ''; // "YYYY-MM-DDTHH" of the last contract-shaped time read in full
let lastLen = 0;
let lastZone = ''; // "Z" or "+08:00"
let lastHourMs = NaN;

function two(s: string, at: number): number {
  const a = s.charCodeAt(at) - DIGIT0, b = s.charCodeAt(at + 1) - DIGIT0;
  return a < 0 || a > 9 || b < 0 || b > 9 ? -1 : a * 10 + b;
}

export function eventTimeMs(iso: string): number {
  const len = iso.length;
  if ((len !== 29 && len !== 24) || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45 || iso.charCodeAt(10) !== 84 || iso.charCodeAt(13) !== 58 || iso.charCodeAt(16) !== 58 || iso.charCodeAt(19) !== 46)
    return Date.parse(iso);
  if (len === lastLen && iso.startsWith(lastHead) && iso.endsWith(lastZone)) {
    const mi = two(iso, 14), s = two(iso, 17), ms = digits(iso, 20, 3);
    if (mi >= 0 && mi <= 59 && s >= 0 && s <= 59 && ms >= 0) return lastHourMs + mi * 60_000 + s * 1000 + ms;
    return Date.parse(iso);
  }
  return fullTimeMs(iso, true);
}

/** The same answer without touching the kept hour: for times out of stream order (account creation). */
export function timeMs(iso: string): number {
  const len = iso.length;
  if ((len !== 29 && len !== 24) || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45 || iso.charCodeAt(10) !== 84 || iso.charCodeAt(13) !== 58 || iso.charCodeAt(16) !== 58 || iso.charCodeAt(19) !== 46)
    return Date.parse(iso);
  return fullTimeMs(iso, false);
}

function fullTimeMs(iso: string, remember: boolean): number {
  const len = iso.length;
  const y = digits(iso, 0, 4), mo = digits(iso, 5, 2), d = digits(iso, 8, 2), h = digits(iso, 11, 2), mi = digits(iso, 14, 2), s = digits(iso, 17, 2), ms = digits(iso, 20, 3);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 28 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0) return Date.parse(iso);
  let offsetMin = 0;
  if (len === 29) {
    const sign = iso.charCodeAt(23);
    const oh = digits(iso, 24, 2), om = digits(iso, 27, 2);
    if ((sign !== 43 && sign !== 45) || iso.charCodeAt(26) !== 58 || oh < 0 || oh > 23 || om < 0 || om > 59) return Date.parse(iso);
    offsetMin = (sign === 43 ? 1 : -1) * (oh * 60 + om);
  } else if (iso.charCodeAt(23) !== 90) return Date.parse(iso);
  const hourMs = Date.UTC(y, mo - 1, d, h) - offsetMin * 60_000;
  if (remember) {
    lastHead = iso.slice(0, 13);
    lastZone = iso.slice(23);
    lastLen = len;
    lastHourMs = hourMs;
  }
  return hourMs + mi * 60_000 + s * 1000 + ms;
}
