// CPU of this process and of its child processes, for the benchmarks' per-CPU-second figures.
// Embedded ClickHouse runs in a child process by default (ingest/store/chdb-worker.ts), so
// process.cpuUsage() alone would leave out the engine's inserts, queries and merges.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports task times in USER_HZ ticks, 100 a second on every platform Node runs on. */
const TICK_US = 10_000;

function statFields(path: string): string[] | null {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * utime and stime, in µs, of this process's children: the live ones (found by their parent pid
 * in /proc) and the ended ones already reaped (this process's cutime and cstime). Null where
 * /proc is not there.
 */
export function childrenCpuUsage(): NodeJS.CpuUsage | null {
  const own = statFields('/proc/self/stat');
  if (!own) return null;
  let user = Number(own[13]), system = Number(own[14]);
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const f = statFields(`/proc/${name}/stat`);
    if (f && Number(f[1]) === process.pid) {
      user += Number(f[11]);
      system += Number(f[12]);
    }
  }
  return { user: user * TICK_US, system: system * TICK_US };
}

/** process.cpuUsage(from) with the child processes' CPU added (the same shape, µs). */
export function cpuUsageWithChildren(from?: NodeJS.CpuUsage): NodeJS.CpuUsage {
  const own = process.cpuUsage();
  const kids = childrenCpuUsage() ?? { user: 0, system: 0 };
  const now = { user: own.user + kids.user, system: own.system + kids.system };
  return from ? { user: now.user - from.user, system: now.system - from.system } : now;
}
