// The `quanguard` command. Each subcommand lives in its own file, cli/<name>.ts, exporting
// `run(argv) → exit code`; they are imported lazily so `quanguard simulate` does not load Kafka.
const COMMANDS: Record<string, { file: string; summary: string }> = {
  start: { file: './start.ts', summary: 'run the whole engine (ingest, models, API); backends chosen by env' },
  replay: { file: './replay.ts', summary: 'replay EVENTS.ndjson [--out DIR] through bus, store, rules and models' },
  simulate: { file: './simulate.ts', summary: 'simulate --seed N --scale small|city --out DIR [--background PATH]' },
  'rules-run': { file: './rules-run.ts', summary: 'rules-run EVENTS.ndjson --out DIR [--ruleset V] [--models]: the rules (and models) over a file (decisions, flags), no bus or store' },
  eval: { file: './eval.ts', summary: 'eval --labels labels.json --flags flags.json [--out FILE]' },
  backtest: { file: './backtest.ts', summary: 'backtest --ruleset VERSION: replay stored history against a rule set' },
  reconcile: { file: './reconcile.ts', summary: 'reconcile --channel FILE.csv: compare the settlement ledger with a payment channel' },
  'import-eligibility': { file: './import-eligibility.ts', summary: 'import-eligibility FILE --campaign ID: hash and load lottery winners' },
  report: { file: './report.ts', summary: 'report --day YYYY-MM-DD [--campaign ID] [--json]: T+1 statistics for the bureau; report --final --campaign ID: the campaign\'s final report' },
  train: { file: './train.ts', summary: 'train --events DIR --labels labels.json: train the merchant-risk forest' },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(20)} ${c.summary}`);
  return `usage: quanguard <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`quanguard: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let mod: { run(argv: string[]): Promise<number> };
  try {
    mod = await import(command.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(command.file.slice(2))) {
      process.stderr.write(`quanguard: command "${name}" is not built yet\n`);
      return 2;
    }
    throw err;
  }
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`quanguard: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
