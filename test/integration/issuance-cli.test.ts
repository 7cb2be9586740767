// The two issuance commands against a real Redis, in-process, under their own key prefix.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { loadConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/logger.ts';
import { IssuanceService } from '../../issuance/service.ts';
import { RedisIssuanceStore } from '../../issuance/state/redis.ts';
import { ScriptedDecider, T0, campaignDef, nationalId, phone, winnersCsv } from '../../issuance/testing/fixtures.ts';
import { run as importEligibility } from '../../cli/import-eligibility.ts';
import { run as reconcileCmd } from '../../cli/reconcile.ts';
import { describeWithService, serviceUrl, uniqueName } from '../services.ts';
import { captureOutput as capture } from '../cli-output.ts';
import { deleteByPrefix } from '../../issuance/testing/redis-cleanup.ts';

describeWithService('REDIS_URL', 'issuance commands', () => {
  const redis = new Redis(serviceUrl('REDIS_URL')!, { enableAutoPipelining: true });
  const prefix = `${uniqueName('qgcli')}:`;
  const dir = mkdtempSync(join(tmpdir(), 'qg-cli-'));
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports winners idempotently and reconciles the ledger with a channel file', async () => {
    const clock = new ManualClock(T0);
    const store = new RedisIssuanceStore({ redis, prefix });
    const svc = new IssuanceService({ store, decider: new ScriptedDecider(), clock, logger: silentLogger, hmacSecret: loadConfig().hmacSecret });
    await svc.createCampaign(campaignDef());
    await svc.publishCampaign('cmp_test');
    const file = join(dir, 'winners.csv');
    const badPhone = '1234567';
    writeFileSync(file, winnersCsv(4, [`x,${nationalId(8)},${badPhone},usr_8`]));
    const first = await capture(() => importEligibility([file, '--campaign', 'cmp_test', '--key-prefix', prefix]));
    expect(first.code).toBe(0);
    const report = JSON.parse(first.out);
    expect(report).toMatchObject({ granted: 4, unchanged: 0, rejected: [{ line: 6, field: 'phone', value: '*******' }] });
    expect(first.out).not.toContain(nationalId(0));
    const second = JSON.parse((await capture(() => importEligibility([file, '--campaign', 'cmp_test', '--key-prefix', prefix]))).out);
    expect(second).toMatchObject({ granted: 0, unchanged: 4 });

    await svc.registerMerchant({ merchantId: 'mch_a', name: 'A', category: 'dining', district: 'haizhou', lat: 34.6, lon: 119.2 });
    for (const u of [0, 1, 2]) {
      await svc.claim({ campaignId: 'cmp_test', couponTypeId: 'cpt_dining50', userId: `usr_${u}`, idempotencyKey: `c${u}`, channel: 'app' });
      await svc.redeem({ campaignId: 'cmp_test', orderId: `ord_${u}`, merchantId: 'mch_a', userId: `usr_${u}`, orderFen: 30_000, cardBin: '622848' });
    }
    const channel = join(dir, 'channel.csv');
    writeFileSync(channel, 'orderId,paid,discount\nord_0,25000,5000\nord_1,25000,4000\nord_9,100,0\n');
    const rec = await capture(() => reconcileCmd(['--channel', channel, '--key-prefix', prefix, '--out', join(dir, 'rec.json')]));
    expect(rec.code).toBe(1);
    const r = JSON.parse(readFileSync(join(dir, 'rec.json'), 'utf8'));
    expect(r).toMatchObject({ matched: 1, missing: [{ orderId: 'ord_2' }], extra: [{ orderId: 'ord_9' }], differing: [{ orderId: 'ord_1', field: 'discountFen', ledger: 5000, channel: 4000 }] });
    expect(phone(0)).not.toBe(badPhone);
  });
});
