// `quanguard rules-run EVENTS.ndjson --out DIR [--ruleset VERSION]`: the rules alone over a contract
// file, in file order, without bus or store: DIR/decisions.ndjson and DIR/flags.json exactly as
// `quanguard replay` writes them from the rules (RulesProcessor), in a fraction of the time. For
// tuning and judging a rule set (`quanguard eval --flags DIR/flags.json`); lines that do not parse
// are counted and skipped (replay dead-letters them).
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseEventLine, type QuanguardEvent } from '../core/events.ts';
import { RulesProcessor } from '../rules/replay-processor.ts';
import { LIVE_RULESET, loadRuleset } from '../rules/ruleset/load.ts';
import { parseArgs } from './args.ts';

const USAGE = 'usage: quanguard rules-run EVENTS.ndjson --out DIR [--ruleset VERSION]\n';
const SLICE = 5_000;

const argsSchema = z.object({
  file: z.string({ error: 'give the NDJSON file' }).min(1),
  out: z.string({ error: '--out needs a directory' }).min(1),
  ruleset: z.string().regex(/^v\d+$/, 'must be a rule-set version such as v2').default(LIVE_RULESET),
});

export async function run(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv);
  const parsed = argsSchema.safeParse({ file: positionals[0], out: options.out === true ? '' : options.out, ruleset: options.ruleset === true ? '' : options.ruleset });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    process.stderr.write(`quanguard rules-run: ${issue.path.join('.') || 'arguments'} ${issue.message}\n${USAGE}`);
    return 2;
  }
  const { file, out, ruleset } = parsed.data;
  let compiled;
  try {
    compiled = loadRuleset(ruleset);
  } catch (err) {
    process.stderr.write(`quanguard rules-run: --ruleset ${(err as Error).message}\n`);
    return 2;
  }
  const began = performance.now();
  const rules = new RulesProcessor({ ruleset: compiled, decisionsFile: join(out, 'decisions.ndjson') });
  let events = 0, skipped = 0;
  let slice: QuanguardEvent[] = [];
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
  try {
    await opened;
  } catch {
    process.stderr.write(`quanguard rules-run: file: cannot read ${file}\n`);
    return 2;
  }
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const p = parseEventLine(line);
    if (!p.ok) {
      skipped++;
      continue;
    }
    slice.push(p.event);
    events++;
    if (slice.length >= SLICE) {
      await rules.process(slice);
      slice = [];
    }
  }
  await rules.process(slice);
  await rules.finish(out);
  const flags = rules.flags();
  process.stdout.write(`rules-run: ${events} events (${skipped} lines skipped), rule set ${compiled.version}, ${rules.decisionCount()} decisions, ${flags.length} flags in ${((performance.now() - began) / 1000).toFixed(1)} s → ${out}\n`);
  return 0;
}
