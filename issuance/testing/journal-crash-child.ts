// Run by issuance/state/journal-crash.test.ts in a child process: grants coupons on the journaled
// embedded store, prints the granted coupon ids (a synchronous write, so they are out before the
// kill), and kills itself with SIGKILL without closing anything.
import { writeSync } from 'node:fs';
import { ManualClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { IssuanceService } from '../service.ts';
import { MemoryIssuanceStore } from '../state/memory.ts';
import { ScriptedDecider, T0, campaignDef, winnersCsv } from './fixtures.ts';

const dir = process.argv[2]!;
const clock = new ManualClock(T0);
const store = MemoryIssuanceStore.open(dir, clock);
const svc = new IssuanceService({ store, decider: new ScriptedDecider(), clock, logger: silentLogger, hmacSecret: 'journal-test-secret-0123456789' });
const def = campaignDef({ limits: { perPerson: 0, perPersonPerType: 0, perPersonPerBatch: 0 } });
await svc.createCampaign(def);
await svc.publishCampaign(def.campaignId);
await svc.importEligibility(def.campaignId, winnersCsv(50), 'csv');
const results = await Promise.all(
  Array.from({ length: 250 }, (_, i) => svc.claim({ campaignId: 'cmp_test', couponTypeId: i % 2 ? 'cpt_any10' : 'cpt_retail20', userId: `usr_${i % 50}`, idempotencyKey: `k${i}`, channel: 'app' })),
);
const granted = results.flatMap((r) => (r.kind === 'granted' ? [r.couponId] : []));
writeSync(1, `${JSON.stringify(granted)}\n`);
process.kill(process.pid, 'SIGKILL');
