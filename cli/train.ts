// `quanguard train --events DIR|FILE [--labels FILE] [--eval-events DIR|FILE] [--eval-labels FILE]
//   [--seed N] [--version N] [--out PATH] [--trees N] [--max-rows-per-class N]`
// Trains the merchant-risk forest on a labelled scenario (simulator labels now, field-inspection
// results later), evaluates it on a scenario with a different seed when given one, and writes the
// versioned model file (models/artifacts/merchant-risk.json by default) that start and replay load.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { entityMetrics, readEvents, type LabelFile } from '../models/eval/entity-metrics.ts';
import { trainForest, type LabelledRow, type MerchantForest } from '../models/merchant/forest.ts';
import { DEFAULT_MODEL_PATH } from '../models/model-file.ts';
import { runModels } from '../models/run.ts';
import { WindowBuilder } from '../models/window-builder.ts';
import { parseArgs } from './args.ts';

const USAGE = `usage: quanguard train --events DIR|FILE [--labels FILE] [--eval-events DIR|FILE] [--eval-labels FILE]
  [--seed N] [--version N] [--out PATH] [--trees N] [--max-rows-per-class N]
`;

const int = (name: string) => z.coerce.number({ error: `--${name} must be a whole number` }).int({ error: `--${name} must be a whole number` }).min(1, { error: `--${name} must be at least 1` });
const argsSchema = z.object({
  events: z.string({ error: '--events DIR|FILE is required' }).min(1),
  labels: z.string().min(1).optional(),
  'eval-events': z.string().min(1).optional(),
  'eval-labels': z.string().min(1).optional(),
  seed: int('seed').default(1),
  version: int('version').default(1),
  out: z.string().min(1).default(DEFAULT_MODEL_PATH),
  trees: int('trees').default(60),
  'max-rows-per-class': int('max-rows-per-class').default(600),
});

function eventsPath(p: string): string {
  return existsSync(p) && statSync(p).isDirectory() ? join(p, 'events.ndjson') : p;
}

function labelsPath(events: string, given?: string): string {
  return given ?? join(existsSync(events) && statSync(events).isDirectory() ? events : dirname(events), 'labels.json');
}

const labelSchema = z.object({
  users: z.record(z.string(), z.enum(['bot_claiming', 'cash_out', 'hoarding', 'subsidy_fraud', 'price_gouging'])),
  merchants: z.record(z.string(), z.enum(['bot_claiming', 'cash_out', 'hoarding', 'subsidy_fraud', 'price_gouging'])),
});

async function readLabels(path: string): Promise<LabelFile> {
  const parsed = labelSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`train: ${path} is not a labels.json: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** Runs the models (rings and features) over a scenario file. */
export async function scenarioFeatures(file: string, seed: number, forest?: MerchantForest) {
  const b = new WindowBuilder();
  for await (const e of readEvents(file)) b.add(e);
  return runModels(b.build(), { seed, forest });
}

export async function run(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const parsed = argsSchema.safeParse(options);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    process.stderr.write(`train: ${i.path.length ? `--${i.path.join('.')} ` : ''}${i.message}\n${USAGE}`);
    return 2;
  }
  const a = parsed.data;
  const trainFile = eventsPath(a.events);
  if (!existsSync(trainFile)) {
    process.stderr.write(`train: no events file at ${trainFile}\n`);
    return 2;
  }
  const labels = await readLabels(labelsPath(a.events, a.labels));
  const started = performance.now();
  const trainRun = await scenarioFeatures(trainFile, a.seed);
  const rows: LabelledRow[] = trainRun.features.map((f) => ({ id: f.merchantId, values: f.values, label: labels.merchants[f.merchantId] ?? 'legitimate' }));
  const forest = trainForest(rows, { version: `merchant-risk@${a.version}`, trainedOn: trainFile, seed: a.seed, nEstimators: a.trees, maxRowsPerClass: a['max-rows-per-class'] });
  process.stderr.write(`train: ${rows.length} merchants, ${forest.file.metrics.rows} rows used ${JSON.stringify(forest.file.metrics.rowsPerClass)}, trained in ${forest.file.metrics.trainingMs} ms\n`);

  if (a['eval-events']) {
    const evalFile = eventsPath(a['eval-events']);
    const evalLabels = await readLabels(labelsPath(a['eval-events'], a['eval-labels']));
    const evalRun = await scenarioFeatures(evalFile, a.seed, forest);
    const merchantFlags = evalRun.flags.filter((f) => f.entityType === 'merchant');
    const m = entityMetrics(merchantFlags, { users: {}, merchants: evalLabels.merchants });
    const fraudMerchants = Object.keys(evalLabels.merchants).length;
    const tp = m.perType.reduce((s, t) => s + t.truePositives, 0);
    forest.file.metrics.evaluation = { seed: evalFile, precision: merchantFlags.length ? tp / merchantFlags.length : 1, recall: fraudMerchants ? tp / fraudMerchants : 1, rows: evalRun.features.length };
    for (const t of m.perType) if (t.labelled || t.flagged) process.stderr.write(`train: eval ${t.fraudType.padEnd(14)} merchants labelled ${t.labelled}, flagged ${t.flagged}, precision ${t.precision.toFixed(3)}, recall ${t.recall.toFixed(3)}\n`);
    process.stderr.write(`train: eval legitimate merchants flagged ${m.legitimateFlagged} of ${evalRun.features.length - fraudMerchants}\n`);
  }
  await mkdir(dirname(a.out), { recursive: true });
  await writeFile(a.out, JSON.stringify(forest.file) + '\n');
  process.stderr.write(`train: wrote ${forest.file.version} to ${a.out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}
