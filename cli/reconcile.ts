// quanguard reconcile --channel FILE.csv [--merchant ID] [--day YYYY-MM-DD] [--out FILE.json]
// Compares the settlement ledger (Redis, or the embedded hot state `npm start` keeps) with a payment channel's CSV of orders
// (orderId, paid, discount in fen) and reports missing, extra and differing orders. Exit code 1
// when anything disagrees, so a nightly job can alert on it.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig } from '../core/config.ts';
import { openHotState } from './hot-state.ts';
import { parseChannelCsv, reconcile } from '../issuance/settlement.ts';
import { parseArgs } from './args.ts';

const optionsSchema = z.object({
  // Keeps tests and staging apart on a shared Redis; production uses the default.
  'key-prefix': z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: '--key-prefix must be letters, digits or _.:-' }).optional(),
  channel: z.string({ error: '--channel FILE.csv is required' }),
  merchant: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: '--merchant must be a merchant id' }).optional(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: '--day must be YYYY-MM-DD' }).optional(),
  out: z.string().optional(),
});

export async function run(argv: string[]): Promise<number> {
  const opts = optionsSchema.safeParse(parseArgs(argv).options);
  if (!opts.success) {
    process.stderr.write(`reconcile: ${opts.error.issues[0]!.message}\nusage: quanguard reconcile --channel FILE.csv [--merchant ID] [--day YYYY-MM-DD] [--out FILE.json]\n`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(opts.data.channel, 'utf8');
  } catch (err) {
    process.stderr.write(`reconcile: cannot read ${opts.data.channel}: ${(err as NodeJS.ErrnoException).code ?? 'error'}\n`);
    return 2;
  }
  const config = loadConfig();
  const channel = parseChannelCsv(text);
  const store = openHotState(config, opts.data['key-prefix'], 'reconcile', ' (GET /v1/settlement/ledger gives the same ledger)');
  if (!store) return 2;
  try {
    const ledger = await store.ledger({ merchantId: opts.data.merchant, day: opts.data.day });
    const result = reconcile(ledger, channel.rows);
    const report = { ledgerOrders: ledger.length, channelOrders: channel.rows.length, channelProblems: channel.problems, ...result };
    const out = JSON.stringify(report, null, 2);
    if (opts.data.out) writeFileSync(opts.data.out, out + '\n');
    process.stdout.write(out + '\n');
    return result.missing.length || result.extra.length || result.differing.length || channel.problems.length ? 1 : 0;
  } finally {
    await store.close();
  }
}
