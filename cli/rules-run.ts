// `quanguard rules-run EVENTS.ndjson --out DIR [--ruleset VERSION] [--models]`: the rules over a
// contract file, in file order, without bus or store: DIR/decisions.ndjson and DIR/flags.json
// exactly as `quanguard replay` writes them from the rules (RulesProcessor), in a fraction of the
// time; with --models the graph and forest models run at the end too (the replay's model processor,
// the model file from `quanguard train`) and their flags join flags.json, as in a replay. For tuning
// and judging (`quanguard eval --flags DIR/flags.json`); lines that do not parse are counted and
// skipped (replay dead-letters them), and an eventId seen before is skipped (replay stores it once).
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseEventLine, type QuanguardEvent } from '../core/events.ts';
import { createLogger } from '../core/logger.ts';
import { readModelFile } from '../models/model-file.ts';
import { createModelProcessor } from '../models/processor.ts';
import { RulesProcessor } from '../rules/replay-processor.ts';
import { LIVE_RULESET, loadRuleset } from '../rules/ruleset/load.ts';
import { parseArgs } from './args.ts';

const USAGE = 'usage: quanguard rules-run EVENTS.ndjson --out DIR [--ruleset VERSION] [--models]\n';
const SLICE = 5_000;

const argsSchema = z.object({
  file: z.string({ error: 'give the NDJSON file' }).min(1),
  out: z.string({ error: '--out needs a directory' }).min(1),
  ruleset: z.string().regex(/^v\d+$/, 'must be a rule-set version such as v2').default(LIVE_RULESET),
  models: z.literal(true, { error: 'takes no value' }).optional(),
});

export async function run(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv);
  const parsed = argsSchema.safeParse({ file: positionals[0], out: options.out === true ? '' : options.out, ruleset: options.ruleset === true ? '' : options.ruleset, models: options.models });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    process.stderr.write(`quanguard rules-run: ${issue.path.join('.') || 'arguments'} ${issue.message}\n${USAGE}`);
    return 2;
  }
  const { file, out, ruleset, models: withModels } = parsed.data;
  let compiled;
  try {
    compiled = loadRuleset(ruleset);
  } catch (err) {
    process.stderr.write(`quanguard rules-run: --ruleset ${(err as Error).message}\n`);
    return 2;
  }
  const began = performance.now();
  const rules = new RulesProcessor({ ruleset: compiled, decisionsFile: join(out, 'decisions.ndjson') });
  const logger = createLogger({ level: 'warn', base: { service: 'quanguard', command: 'rules-run' } });
  const models = withModels ? createModelProcessor({ forest: readModelFile(), logger }) : undefined;
  const seen = new Set<string>();
  let events = 0, skipped = 0, repeated = 0;
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
    if (seen.has(p.event.eventId)) {
      repeated++;
      continue;
    }
    seen.add(p.event.eventId);
    slice.push(p.event);
    events++;
    if (slice.length >= SLICE) {
      await rules.process(slice);
      await models?.process(slice);
      slice = [];
    }
  }
  await rules.process(slice);
  await models?.process(slice);
  await rules.finish(out);
  const flags = rules.flags();
  await models?.finish?.(out);
  const modelFlags = models?.lastRun()?.flags.length;
  process.stdout.write(`rules-run: ${events} events (${skipped} lines skipped, ${repeated} repeated ids), rule set ${compiled.version}, ${rules.decisionCount()} decisions, ${flags.length} rules flags${modelFlags === undefined ? '' : `, ${modelFlags} model flags`} in ${((performance.now() - began) / 1000).toFixed(1)} s → ${out}\n`);
  return 0;
}
