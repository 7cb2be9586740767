// `quanguard report --day YYYY-MM-DD [--campaign cmp_…] [--json] [--out FILE]`: the T+1 statistics
// of one China Standard Time day from the store the engine writes (embedded chdb under the data
// directory, or the server CLICKHOUSE_URL names); `quanguard report --final --campaign cmp_…`: the
// campaign's final report. Text for people, JSON with --json or --out.
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { createAnalyticsStore, type AnalyticsStore } from '../ingest/store/analytics-store.ts';
import { dailyReport, formatDailyReport, reportQuerySchema } from '../reports/daily.ts';
import { CampaignNotFound, finalReport, finalReportQuerySchema, formatFinalReport } from '../reports/final.ts';
import { parseArgs } from './args.ts';

const USAGE = 'usage: quanguard report --day YYYY-MM-DD [--campaign cmp_…] [--json] [--out FILE]\n       quanguard report --final --campaign cmp_… [--json] [--out FILE]\n';

export async function run(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv);
  if (options.final !== undefined) return runFinal(options);
  const q = reportQuerySchema.safeParse({ day: options.day === true ? '' : options.day, campaignId: options.campaign === true ? '' : options.campaign });
  if (!q.success) {
    const issue = q.error.issues[0]!;
    process.stderr.write(`quanguard report: ${issue.path.join('.') === 'campaignId' ? '--campaign' : '--day'} ${issue.message}\n${USAGE}`);
    return 2;
  }
  if (options.out === true) {
    process.stderr.write(`quanguard report: --out needs a file\n${USAGE}`);
    return 2;
  }
  return emit(options, (store) => dailyReport(store, q.data), formatDailyReport);
}

/** Opens the store, makes the report, writes JSON to --out and text (or JSON with --json) to stdout. */
async function emit<R>(options: Record<string, string | true>, make: (store: AnalyticsStore) => Promise<R>, format: (r: R) => string): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: 'warn', base: { service: 'quanguard', command: 'report' } });
  const store = createAnalyticsStore(config.clickhouse, logger);
  try {
    await store.migrate();
    const report = await make(store);
    const json = JSON.stringify(report, null, 1) + '\n';
    if (typeof options.out === 'string') await writeFile(options.out, json);
    process.stdout.write(options.json ? json : format(report) + '\n');
    return 0;
  } catch (err) {
    if (!(err instanceof CampaignNotFound)) throw err;
    process.stderr.write(`quanguard report: --campaign ${err.message}\n`);
    return 2;
  } finally {
    await store.close().catch(() => undefined);
  }
}

async function runFinal(options: Record<string, string | true>): Promise<number> {
  const q = finalReportQuerySchema.safeParse({ campaignId: options.campaign === true ? '' : options.campaign });
  if (options.final !== true || !q.success || options.out === true || options.day !== undefined) {
    const why = options.final !== true ? '--final takes no value' : !q.success ? `--campaign ${q.error.issues[0]!.message}` : options.day !== undefined ? '--day does not go with --final' : '--out needs a file';
    process.stderr.write(`quanguard report: ${why}\n${USAGE}`);
    return 2;
  }
  return emit(options, (store) => finalReport(store, q.data), formatFinalReport);
}
