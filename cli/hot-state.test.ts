// The issuance commands on the embedded default: they work on the journal `npm start` reads, and
// refuse, saying why, while a running engine holds it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { loadConfig } from '../core/config.ts';
import { silentLogger } from '../core/logger.ts';
import { IssuanceService } from '../issuance/service.ts';
import { MemoryIssuanceStore } from '../issuance/state/memory.ts';
import { ScriptedDecider, T0, campaignDef, winnersCsv } from '../issuance/testing/fixtures.ts';
import { captureOutput } from '../test/cli-output.ts';
import { run as importEligibility } from './import-eligibility.ts';
import { run as reconcileCmd } from './reconcile.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-cli-hot-'));
const hot = join(dir, 'hot');
const saved = { REDIS_URL: process.env.REDIS_URL, QUANGUARD_DATA_DIR: process.env.QUANGUARD_DATA_DIR };
beforeAll(() => {
  delete process.env.REDIS_URL; // the embedded default, whatever services CI has set
  process.env.QUANGUARD_DATA_DIR = dir;
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  rmSync(dir, { recursive: true, force: true });
});

function service(store: MemoryIssuanceStore): IssuanceService {
  return new IssuanceService({ store, decider: new ScriptedDecider(), clock: new ManualClock(T0), logger: silentLogger, hmacSecret: loadConfig().hmacSecret });
}

it('imports winners into the embedded hot state, reconciles its ledger, and refuses while an engine holds it', async () => {
  let store = MemoryIssuanceStore.open(hot, new ManualClock(T0));
  await service(store).createCampaign(campaignDef());
  await service(store).publishCampaign('cmp_test');
  await store.close();

  const winners = join(dir, 'winners.csv');
  writeFileSync(winners, winnersCsv(4));
  const first = await captureOutput(() => importEligibility([winners, '--campaign', 'cmp_test']));
  expect(first.code).toBe(0);
  expect(JSON.parse(first.out)).toMatchObject({ granted: 4, unchanged: 0 });

  store = MemoryIssuanceStore.open(hot, new ManualClock(T0));
  const svc = service(store);
  expect(await store.identity('cmp_test', 'usr_3')).not.toBeNull();
  await svc.registerMerchant({ merchantId: 'mch_a', name: 'A', category: 'dining', district: 'haizhou', lat: 34.6, lon: 119.2 });
  for (const u of [0, 1]) {
    expect((await svc.claim({ campaignId: 'cmp_test', couponTypeId: 'cpt_dining50', userId: `usr_${u}`, idempotencyKey: `c${u}`, channel: 'app' })).kind).toBe('granted');
    expect((await svc.redeem({ campaignId: 'cmp_test', orderId: `ord_${u}`, merchantId: 'mch_a', userId: `usr_${u}`, orderFen: 30_000, cardBin: '622848' })).kind).toBe('redeemed');
  }
  // While this process holds the journal, as `npm start` would.
  const channel = join(dir, 'channel.csv');
  writeFileSync(channel, 'orderId,paid,discount\nord_0,25000,5000\nord_9,100,0\n');
  const refused = await captureOutput(() => reconcileCmd(['--channel', channel]));
  expect(refused.code).toBe(2);
  expect(refused.err).toContain(`held by process ${process.pid}`);
  expect((await captureOutput(() => importEligibility([winners, '--campaign', 'cmp_test']))).code).toBe(2);
  await store.close();

  const rec = await captureOutput(() => reconcileCmd(['--channel', channel, '--out', join(dir, 'rec.json')]));
  expect(rec.code).toBe(1);
  expect(JSON.parse(readFileSync(join(dir, 'rec.json'), 'utf8'))).toMatchObject({ matched: 1, missing: [{ orderId: 'ord_1' }], extra: [{ orderId: 'ord_9' }] });
});
