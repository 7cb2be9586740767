// `npm run bench -- simulate [--scale small|city] [--seed N]`: how fast the labelled city is
// generated, wall-clock and per CPU second (the machine is shared, so both are printed).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../cli/args.ts';
import { simulateToDir } from '../simulator/simulate.ts';
import { machine, report } from './report.ts';

export async function run(argv: string[]): Promise<void> {
  const { options } = parseArgs(argv);
  const scale = options.scale === 'small' ? 'small' : 'city';
  const seed = typeof options.seed === 'string' ? Number(options.seed) : 1;
  machine('simulate');
  const dir = mkdtempSync(join(tmpdir(), 'qg-bench-sim-'));
  try {
    const cpu = process.cpuUsage();
    const stats = await simulateToDir({ seed, scale, hmacSecret: 'bench-secret-0123456789' }, dir);
    const used = process.cpuUsage(cpu);
    const cpuS = (used.user + used.system) / 1e6;
    const bytes = statSync(join(dir, 'events.ndjson')).size;
    report({ bench: 'simulate', metric: 'events', value: stats.events, unit: 'count', scale });
    report({ bench: 'simulate', metric: 'events_per_s', value: stats.events / (stats.totalMs / 1000), unit: '1/s', scale, baseline: 200_000 });
    report({ bench: 'simulate', metric: 'events_per_cpu_s', value: stats.events / cpuS, unit: '1/s', scale, baseline: 200_000 });
    report({ bench: 'simulate', metric: 'cpu_s_per_million_events', value: (cpuS * 1e6) / stats.events, unit: 's', scale });
    report({ bench: 'simulate', metric: 'seconds', value: stats.totalMs / 1000, unit: 's', scale });
    report({ bench: 'simulate', metric: 'bytes_per_event', value: bytes / stats.events, unit: 'B', scale });
    // A fixed integer loop (about 0.3-0.5 ns per iteration on an idle modern core), timed in CPU
    // time like the rate above: on a shared machine the same work costs more CPU time when the
    // neighbours are busy, so the rate is read against it.
    const calCpu = process.cpuUsage();
    let sink = 0;
    for (let i = 0; i < 2e8; i++) sink += i & 7;
    const cal = process.cpuUsage(calCpu);
    report({ bench: 'simulate', metric: 'calibration_ns_per_iteration', value: ((cal.user + cal.system) * 1e3) / 2e8 + (sink < 0 ? 1 : 0), unit: 'ns' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
