// `quanguard simulate --seed N --scale small|city --out DIR [--background PATH] [knobs]`
// Writes DIR/events.ndjson and DIR/labels.json; prints the generation speed to stderr.
import { loadConfig } from '../core/config.ts';
import { simulateToDir } from '../simulator/simulate.ts';
import { parseArgs } from './args.ts';

const USAGE = `usage: quanguard simulate --seed N --scale small|city --out DIR
  [--background PATH] [--background-limit ROWS] [--start-date YYYY-MM-DD]
  [--users N] [--merchants N]
  [--bot-farms N] [--cash-out-rings N] [--hoarders N] [--subsidy-rings N] [--gougers N]
  [--subtle-share 0..1]   share of each scenario's instances that are subtle (default 0.5)
  [--threads N]           worker threads (default: the cores for 50,000 users or more, else 1);
                          the output bytes do not depend on it
  [--no-fraud]            honest city only
`;

const KNOBS: Record<string, string> = {
  'bot-farms': 'botFarms',
  'cash-out-rings': 'cashOutRings',
  hoarders: 'hoarders',
  'subsidy-rings': 'subsidyRings',
  gougers: 'gougers',
  'subtle-share': 'subtleShare',
};

export async function run(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const str = (name: string): string | undefined => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const num = (name: string): number | undefined => (str(name) === undefined ? undefined : Number(str(name)));
  const out = str('out');
  if (!out) {
    process.stderr.write(`simulate: --out DIR is required\n${USAGE}`);
    return 2;
  }
  const fraud: Record<string, number> = {};
  for (const [flag, key] of Object.entries(KNOBS)) if (str(flag) !== undefined) fraud[key] = num(flag)!;
  if (options['no-fraud']) for (const key of ['botFarms', 'cashOutRings', 'hoarders', 'subsidyRings', 'gougers']) fraud[key] = 0;
  try {
    const cpuBefore = process.cpuUsage();
    const stats = await simulateToDir(
      {
        seed: num('seed') ?? NaN,
        scale: (str('scale') ?? 'small') as 'small',
        users: num('users'),
        merchants: num('merchants'),
        fraud,
        startDate: str('start-date'),
        background: str('background'),
        backgroundLimit: num('background-limit'),
        threads: num('threads'),
        hmacSecret: loadConfig().hmacSecret,
      },
      out,
    );
    const perS = Math.round(stats.events / (stats.totalMs / 1000));
    const cpu = process.cpuUsage(cpuBefore);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    process.stderr.write(
      `simulate: ${stats.events} events (${Object.entries(stats.byType).map(([k, v]) => `${k} ${v}`).join(', ')}), ${stats.users} users, ${stats.merchants} merchants\n` +
        (stats.background ? `simulate: background ${JSON.stringify(stats.background)}\n` : '') +
        `simulate: ${stats.shards} shards on ${stats.threads} thread(s), generated in ${(stats.generateMs / 1000).toFixed(2)} s, written in ${(stats.totalMs / 1000).toFixed(2)} s: ${perS} events/s → ${out}\n` +
        // On a shared machine wall time depends on the neighbours; CPU time says what the generator costs.
        `simulate: ${cpuS.toFixed(2)} CPU s: ${Math.round(stats.events / cpuS)} events per CPU second\n`,
    );
    return 0;
  } catch (err) {
    const message = (err as Error).message;
    process.stderr.write(`${message.startsWith('simulator:') ? message.replace('simulator:', 'simulate:') : `simulate: ${message}`}\n`);
    return 1;
  }
}
