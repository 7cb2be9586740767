// Run by issuance/state/journal-crash.test.ts in a child process: grants coupons on the journaled
// embedded store, prints the granted coupon ids (a synchronous write, so they are out before the
// kill), and kills itself with SIGKILL without closing anything.
import { writeSync } from 'node:fs';
import { ManualClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { IssuanceService } from '../service.ts';
import { MemoryIssuanceStore } from '../state/memory.ts';
import { ScriptedDecider, T0, claimStorm } from './fixtures.ts';

const dir = process.argv[2]!;
const clock = new ManualClock(T0);
const store = MemoryIssuanceStore.open(dir, clock);
const svc = new IssuanceService({ store, decider: new ScriptedDecider(), clock, logger: silentLogger, hmacSecret: 'journal-test-secret-0123456789' });
const { granted } = await claimStorm(svc);
writeSync(1, `${JSON.stringify(granted)}\n`);
process.kill(process.pid, 'SIGKILL');
