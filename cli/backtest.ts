// `quanguard backtest --ruleset VERSION [--live VERSION] [--from ISO] [--to ISO] [--data DIR] [--out FILE]`
// Replays the stored history (the analytics store: embedded, or CLICKHOUSE_URL) through a rule-set
// version and the live one, and prints per rule the hits of each and how many decisions changed.
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { loadConfig } from '../core/config.ts';
import { isoTime } from '../core/events.ts';
import { createLogger } from '../core/logger.ts';
import { createAnalyticsStore } from '../ingest/store/analytics-store.ts';
import { backtest, formatBacktest } from '../rules/backtest/compare.ts';
import { readHistory } from '../rules/backtest/history.ts';
import { LIVE_RULESET, loadRuleset } from '../rules/ruleset/load.ts';
import { parseArgs } from './args.ts';
import { replayConfig } from './replay.ts';

const argsSchema = z.object({
  ruleset: z.string({ error: 'give the candidate: --ruleset VERSION' }).min(1),
  live: z.string().min(1).default(LIVE_RULESET),
  from: isoTime.optional(),
  to: isoTime.optional(),
  data: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
});

export async function run(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv);
  const parsed = argsSchema.safeParse(options);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    process.stderr.write(`quanguard backtest: --${i.path.join('.') || 'arguments'}: ${i.message}\n`);
    return 2;
  }
  const a = parsed.data;
  let live, candidate;
  try {
    live = loadRuleset(a.live);
    candidate = loadRuleset(a.ruleset);
  } catch (err) {
    process.stderr.write(`quanguard backtest: ${(err as Error).message}\n`);
    return 2;
  }
  const config = replayConfig(loadConfig(), a.data);
  const logger = createLogger({ level: 'warn', base: { service: 'quanguard', command: 'backtest' } });
  const store = createAnalyticsStore(config.clickhouse, logger);
  try {
    const history = await readHistory(store, { fromMs: a.from ? Date.parse(a.from) : undefined, toMs: a.to ? Date.parse(a.to) : undefined });
    if (history.rejected.length) process.stderr.write(`quanguard backtest: ${history.rejected.length} stored rows no longer match the contract; first: ${JSON.stringify(history.rejected[0])}\n`);
    const report = await backtest(history.events, live, candidate);
    process.stdout.write(formatBacktest(report));
    if (a.out) await writeFile(a.out, JSON.stringify(report, null, 1) + '\n');
    return 0;
  } finally {
    await store.close().catch(() => undefined);
  }
}
