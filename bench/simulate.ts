// `npm run bench -- simulate [--scale small|city] [--seed N] [--threads N]`: how fast the labelled
// city is generated, wall-clock and per CPU second (the machine is shared, so both are printed),
// with all threads and, side by side in the same run, with one thread (the same bytes: the run
// checks it). CPU time is the whole process's, worker threads included.
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../cli/args.ts';
import { defaultThreads, simulateToDir } from '../simulator/simulate.ts';
import { machine, report } from './report.ts';

export async function run(argv: string[]): Promise<void> {
  const { options } = parseArgs(argv);
  const scale = options.scale === 'small' ? 'small' : 'city';
  const seed = typeof options.seed === 'string' ? Number(options.seed) : 1;
  const threads = typeof options.threads === 'string' ? Number(options.threads) : defaultThreads({ scale });
  machine('simulate');
  const dir = mkdtempSync(join(tmpdir(), 'qg-bench-sim-'));
  try {
    const runs: { threads: number; eventsPerS: number; md5: string }[] = [];
    for (const t of threads > 1 ? [threads, 1] : [1]) {
      const out = join(dir, `t${t}`);
      const load = loadavg()[0]!;
      const cpu = process.cpuUsage();
      const stats = await simulateToDir({ seed, scale, hmacSecret: 'bench-secret-0123456789', threads: t }, out);
      const used = process.cpuUsage(cpu);
      const cpuS = (used.user + used.system) / 1e6;
      const bytes = statSync(join(out, 'events.ndjson')).size;
      const eventsPerS = stats.events / (stats.totalMs / 1000);
      const first = runs[0];
      const tags = { scale, threads: t, shards: stats.shards, loadavg1: Math.round(load * 10) / 10 };
      report({ bench: 'simulate', metric: 'events', value: stats.events, unit: 'count', ...tags });
      report({ bench: 'simulate', metric: 'events_per_s', value: eventsPerS, unit: '1/s', ...tags, baseline: first ? first.eventsPerS : 200_000, baselineIs: first ? `threads=${first.threads}` : 'target' });
      report({ bench: 'simulate', metric: 'events_per_cpu_s', value: stats.events / cpuS, unit: '1/s', ...tags });
      report({ bench: 'simulate', metric: 'cpu_s_per_million_events', value: (cpuS * 1e6) / stats.events, unit: 's', ...tags, userS: used.user / 1e6, systemS: used.system / 1e6 });
      // The process's peak resident memory so far: the first run's own peak (workers included);
      // for a later run only the larger of its peak and those before it, so it is left out there.
      const peak = first ? {} : { peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
      report({ bench: 'simulate', metric: 'seconds', value: stats.totalMs / 1000, unit: 's', ...tags, generateS: stats.generateMs / 1000, ...peak });
      report({ bench: 'simulate', metric: 'bytes_per_event', value: bytes / stats.events, unit: 'B', ...tags });
      const md5 = await fileMd5(join(out, 'events.ndjson'));
      if (first && first.md5 !== md5) throw new Error(`bench simulate: threads=${t} wrote other bytes than threads=${first.threads}`);
      runs.push({ threads: t, eventsPerS, md5 });
      rmSync(out, { recursive: true, force: true });
    }
    // A fixed integer loop (about 0.3-0.5 ns per iteration on an idle modern core), timed in CPU
    // time like the rate above: on a shared machine the same work costs more CPU time when the
    // neighbours are busy, so the rate is read against it.
    const calCpu = process.cpuUsage();
    let sink = 0;
    for (let i = 0; i < 2e8; i++) sink += i & 7;
    const cal = process.cpuUsage(calCpu);
    report({ bench: 'simulate', metric: 'calibration_ns_per_iteration', value: ((cal.user + cal.system) * 1e3) / 2e8 + (sink < 0 ? 1 : 0), unit: 'ns', loadavg1: Math.round(loadavg()[0]! * 10) / 10 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fileMd5(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('md5');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}
