// Shared by the HTTP benchmarks: servers under test in child processes, the open-loop generator in
// another, rounds interleaved so that both sides of a comparison see the same machine load.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadConfig, LoadResult } from './_http-load.ts';

const here = dirname(fileURLToPath(import.meta.url));
const runTs = join(here, '..', 'bin', 'run-ts.js');

/** Runs the open-loop generator (bench/_http-load.ts) in its own process; resolves to its result. */
export function openLoop(cfg: LoadConfig): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runTs, join(here, '_http-load.ts'), JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line) reject(new Error(`http bench: load generator exited with ${code}`));
      else resolve(JSON.parse(line) as LoadResult);
    });
  });
}

/** A server under test in a child process that prints `{"port":N}`, then answers `stats` lines. */
export class ChildServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    readonly port: number,
  ) {}

  /** `nodeArgs`: flags for the server's node (e.g. `--cpu-prof`, `--cpu-prof-dir=DIR` to profile it). */
  static async start(script: string, config: unknown, nodeArgs: readonly string[] = []): Promise<ChildServer> {
    const child = spawn(process.execPath, [...nodeArgs, runTs, join(here, script), JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`http bench: ${script} exited with ${code} before listening`)));
    });
    return new ChildServer(child, lines, (JSON.parse(first) as { port: number }).port);
  }

  /** What the server spent since the previous call (see bench/_http-server.ts). */
  stats<T>(): Promise<T> {
    return new Promise((resolve) => {
      this.lines.once('line', (l) => resolve(JSON.parse(l) as T));
      this.child.stdin!.write('stats\n');
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Median of the finite values (a round with no answer has no percentile); NaN when none. */
export function median(xs: (number | null)[]): number {
  const s = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One-minute load average when the figures were taken: the machine is shared. */
export function loadAverage(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}
