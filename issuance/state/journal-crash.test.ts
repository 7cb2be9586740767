// Durability of the embedded hot state, as issuance-aof.test.ts checks it for Redis: a process that
// granted coupons on the journaled memory store is killed with SIGKILL (no close, lock left behind);
// the next process takes the dead process's lock, and every granted coupon is in its wallet, stock
// and budget agree with the grants, and every claim event is still in the outbox.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { TOPICS } from '../../core/bus.ts';
import { silentLogger } from '../../core/logger.ts';
import { createRelay } from '../relay.ts';
import { RecordingBus } from '../testing/recording-bus.ts';
import { T0, campaignDef } from '../testing/fixtures.ts';
import { MemoryIssuanceStore } from './memory.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-hot-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runChild(): Promise<{ stdout: string; signal: NodeJS.Signals | null }> {
  const script = fileURLToPath(new URL('../testing/journal-crash-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (_code, signal) => resolve({ stdout, signal }));
  });
}

it('keeps every granted coupon across kill -9', async () => {
  const { stdout, signal } = await runChild();
  expect(signal).toBe('SIGKILL');
  const granted = JSON.parse(stdout.trim()) as string[];
  expect(granted).toHaveLength(200); // 100 of each type, the remaining 50 sold out
  expect(existsSync(join(dir, 'issuance.lock'))).toBe(true); // the dead process could not release it

  const store = MemoryIssuanceStore.open(dir, new ManualClock(T0 + 60_000), { fsyncEveryMs: 0 });
  try {
    expect(store.loaded.replayed).toBeGreaterThan(200);
    const held = new Set<string>();
    for (let u = 0; u < 50; u++) for (const c of await store.wallet('cmp_test', `usr_${u}`)) held.add(c.couponId);
    expect(granted.filter((c) => !held.has(c))).toEqual([]);
    expect(held.size).toBe(granted.length);
    const def = campaignDef();
    expect(await store.inventory('cmp_test')).toMatchObject({ stock: { cpt_any10: 0, cpt_retail20: 0 }, budgetFen: def.budgetFen - 100 * 1_000 - 100 * 2_000 });
    const bus = new RecordingBus();
    await createRelay({ outbox: store.outbox, bus, logger: silentLogger, consumer: 'after-crash' }).runOnce();
    const claims = bus.published.filter((p) => p.topic === TOPICS.events && p.message.value.includes('"type":"claim"'));
    expect(claims).toHaveLength(granted.length);
  } finally {
    await store.close();
  }
});
