// Durability: a Redis started by this test with AOF (appendfsync always) is killed with SIGKILL
// after granting coupons; after the restart every granted coupon is still in its wallet, stock and
// budget agree with the grants, and every claim event is still in the outbox.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { ISSUANCE_REDIS_OPTIONS } from '../../issuance/open-store.ts';
import { IssuanceService } from '../../issuance/service.ts';
import { RedisIssuanceStore } from '../../issuance/state/redis.ts';
import { ScriptedDecider, T0, claimStorm } from '../../issuance/testing/fixtures.ts';
import { describeWithService, waitFor } from '../services.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describeWithService('REDIS_URL', 'issuance on Redis with AOF survives kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qg-aof-'));
  let proc: ChildProcess | undefined;
  let port = 0;
  afterAll(() => {
    proc?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function startRedis(): Promise<Redis> {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--dir', dir], { stdio: 'ignore' });
    const client = new Redis({ ...ISSUANCE_REDIS_OPTIONS, port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    // Refused connections while the server boots are expected; waitFor below decides.
    client.on('error', () => {});
    await waitFor(async () => (await client.ping().catch(() => '')) === 'PONG', { what: `redis-server on port ${port}`, timeoutMs: 20_000 });
    // Loading the AOF answers -LOADING until done; a read proves the data set is there.
    await waitFor(async () => (await client.dbsize().catch(() => -1)) >= 0, { what: 'AOF loaded', timeoutMs: 20_000 });
    return client;
  }

  it('keeps every granted coupon', async () => {
    port = await freePort();
    let redis = await startRedis();
    const clock = new ManualClock(T0);
    const make = (r: Redis) => {
      const store = new RedisIssuanceStore({ redis: r, prefix: 'aof:' });
      return { store, svc: new IssuanceService({ store, decider: new ScriptedDecider(), clock, logger: silentLogger, hmacSecret: 'aof-test-secret-0123456789' }) };
    };
    let { store, svc } = make(redis);
    const { def, results, granted } = await claimStorm(svc);
    expect(granted.length).toBe(200); // 100 of each type, the remaining 50 sold out
    proc!.kill('SIGKILL');
    await new Promise((r) => proc!.once('exit', r));
    redis.disconnect();

    redis = await startRedis();
    ({ store, svc } = make(redis));
    const held = new Set<string>();
    for (let u = 0; u < 50; u++) for (const c of await store.wallet('cmp_test', `usr_${u}`)) held.add(c.couponId);
    expect([...granted].filter((c) => !held.has(c))).toEqual([]);
    expect(held.size).toBe(granted.length);
    expect(await store.inventory('cmp_test')).toMatchObject({ stock: { cpt_any10: 0, cpt_retail20: 0 }, budgetFen: def.budgetFen - 100 * 1_000 - 100 * 2_000 });
    const claimEvents = (await redis.xrange(store.keys.outbox('cmp_test'), '-', '+')).filter(([, f]) => f[1]!.includes('"type":"claim"'));
    expect(claimEvents).toHaveLength(granted.length);
    // The restarted server has no scripts cached: replayed claims, sent together so that all of
    // them meet NOSCRIPT, must still answer (the script is loaded and each call sent again).
    const odd = [1, 3, 5, 7, 9, 11, 13, 15];
    const again = await Promise.all(odd.map((i) => svc.claim({ campaignId: 'cmp_test', couponTypeId: 'cpt_any10', userId: `usr_${i % 50}`, idempotencyKey: `k${i}`, channel: 'app' })));
    expect(again).toEqual(odd.map((i) => ({ ...results[i], replayed: true })));
    await redis.quit();
  });
});
