// `quanguard eval --labels labels.json --flags flags.json [--out FILE]`
// Prints precision, recall and F1 per fraud type and the false-positive rates; writes the JSON.
import { readFile, writeFile } from 'node:fs/promises';
import { evaluate, formatReport } from '../simulator/evaluate.ts';
import { parseArgs } from './args.ts';

const USAGE = 'usage: quanguard eval --labels labels.json --flags flags.json [--out FILE]\n';

export async function run(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv);
  const labelsPath = options.labels, flagsPath = options.flags, out = options.out;
  if (typeof labelsPath !== 'string' || typeof flagsPath !== 'string' || (out !== undefined && typeof out !== 'string')) {
    process.stderr.write(`eval: --labels FILE and --flags FILE are required\n${USAGE}`);
    return 2;
  }
  try {
    const [labels, flags] = await Promise.all([readJson(labelsPath, '--labels'), readJson(flagsPath, '--flags')]);
    const report = evaluate(labels, flags);
    process.stdout.write(formatReport(report));
    if (out) {
      await writeFile(out, JSON.stringify(report, null, 1) + '\n');
      process.stdout.write(`eval: report written to ${out}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message.startsWith('eval:') ? '' : 'eval: '}${(err as Error).message}\n`);
    return 1;
  }
}

async function readJson(path: string, option: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`eval: ${option} ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`eval: ${option} ${path} is not valid JSON: ${(err as Error).message.slice(0, 120)}`);
  }
}
