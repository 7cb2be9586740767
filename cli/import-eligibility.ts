// quanguard import-eligibility FILE --campaign ID [--format csv|json] [--report OUT.json] [--dry-run]
// Hashes and loads the city app's lottery winners into the campaign's hot state: Redis (REDIS_URL)
// or, embedded, the journal under $QUANGUARD_DATA_DIR/hot that `npm start` reads (while the engine
// runs it holds that journal: import through its API instead). Raw ID and phone numbers never leave
// this process: the report shows line numbers, reasons and masks.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { systemClock } from '../core/clock.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { AllowAllRiskDecider } from '../issuance/allow-all-decider.ts';
import { detectFormat, parseWinners } from '../issuance/eligibility.ts';
import { openHotState } from './hot-state.ts';
import { IssuanceService } from '../issuance/service.ts';
import { parseArgs } from './args.ts';

const optionsSchema = z.object({
  // Keeps tests and staging apart on a shared Redis; production uses the default.
  'key-prefix': z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: '--key-prefix must be letters, digits or _.:-' }).optional(),
  campaign: z.string({ error: '--campaign ID is required' }).regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: '--campaign must be a campaign id' }),
  format: z.enum(['csv', 'json'], { error: '--format must be csv or json' }).optional(),
  report: z.string().optional(),
  'dry-run': z.literal(true).optional(),
});

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const file = args.positionals[0];
  const opts = optionsSchema.safeParse(args.options);
  if (!file || !opts.success) {
    process.stderr.write(`import-eligibility: ${opts.success ? 'give the winners file' : opts.error.issues[0]!.message}\nusage: quanguard import-eligibility FILE --campaign ID [--format csv|json] [--report OUT.json] [--dry-run]\n`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`import-eligibility: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}\n`);
    return 2;
  }
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  if (config.hmacSecretIsDefault) logger.warn('QUANGUARD_HMAC_SECRET is the demo default: hashes are not secret');
  const format = opts.data.format ?? detectFormat(text);
  let report;
  if (opts.data['dry-run']) {
    const parsed = parseWinners(text, format, config.hmacSecret);
    report = { campaignId: opts.data.campaign, lines: parsed.lines, valid: parsed.winners.length, dryRun: true, rejected: parsed.rejected };
  } else {
    const store = openHotState(config, opts.data['key-prefix'], 'import-eligibility', ', or POST the file to /v1/campaigns/ID/eligibility');
    if (!store) return 2;
    try {
      const svc = new IssuanceService({ store, decider: new AllowAllRiskDecider(systemClock), clock: systemClock, logger, hmacSecret: config.hmacSecret });
      report = await svc.importEligibility(opts.data.campaign, text, format);
    } catch (err) {
      process.stderr.write(`import-eligibility: ${(err as Error).message}\n`);
      return 1;
    } finally {
      await store.close();
    }
  }
  const out = JSON.stringify(report, null, 2);
  if (opts.data.report) writeFileSync(opts.data.report, out + '\n');
  process.stdout.write(out + '\n');
  return 0;
}
