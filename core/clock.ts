// Time comes in from outside: production code reads a Clock, tests and replays inject one.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests and for replays that follow event time. */
export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Formats epoch ms as ISO-8601 in China Standard Time (+08:00), millisecond precision. */
export function toCstIso(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return d.toISOString().replace('Z', '+08:00');
}

/** Hour of day (0-23) in China Standard Time. */
export function cstHour(ms: number): number {
  // Arithmetic, not a Date per call (the late-hour rule asks on every redemption); the same hour
  // as new Date(ms + 8h).getUTCHours() for every time a Date holds (clock.test.ts). NaN stays NaN.
  const x = Math.trunc(ms + 8 * 3600_000); // a Date keeps whole milliseconds, truncated
  if (!(Math.abs(x) <= 8.64e15)) return NaN;
  const day = 86_400_000;
  return Math.floor((((x % day) + day) % day) / 3600_000);
}

/** The CST calendar day (YYYY-MM-DD) of an instant. */
export function cstDay(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}
