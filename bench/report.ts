// Every benchmark prints one JSON line per figure:
// {"bench":"ingest","metric":"events_per_s","value":N,"unit":"1/s","backend":"…","baseline":B,"ratio":R}
import os from 'node:os';

export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  backend?: string;
  baseline?: number;
  ratio?: number;
  [extra: string]: unknown;
}

export function report(f: Figure): void {
  const out: Figure = { ...f, value: round(f.value) };
  if (f.baseline !== undefined) out.baseline = round(f.baseline);
  if (f.baseline !== undefined && f.ratio === undefined && f.baseline !== 0) out.ratio = round(f.value / f.baseline, 3);
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** What the figures were measured on, printed once per benchmark. */
export function machine(bench: string): void {
  const cpus = os.cpus();
  process.stdout.write(
    JSON.stringify({ bench, metric: 'machine', cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version }) + '\n',
  );
}

function round(v: number, digits = 2): number {
  const p = 10 ** digits;
  return Math.round(v * p) / p;
}
