// The service's identity lookups: claims of one account that arrive together share one store read,
// and a claim never takes "not eligible" from a read that began before it came.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { IssuanceService } from './service.ts';
import { MemoryIssuanceStore } from './state/memory.ts';
import type { Identity } from './state/store.ts';
import { ScriptedDecider, T0, campaignDef, nationalId, phone, winnersCsv } from './testing/fixtures.ts';

const SECRET = 'service-test-secret-0123456789';

/**
 * A memory store whose identity reads are counted and, while `holding`, answer only when the test
 * lets them through: what they read is read at once, as a Redis reply on its way back.
 */
class GatedStore extends MemoryIssuanceStore {
  reads = 0;
  private gates: (() => void)[] = [];
  holding = false;
  failNext = false;
  override async identity(campaignId: string, userId: string): Promise<Identity | null> {
    this.reads++;
    const fail = this.failNext;
    this.failNext = false;
    const found = await super.identity(campaignId, userId);
    if (this.holding) await new Promise<void>((r) => this.gates.push(r));
    if (fail) throw new Error('store down');
    return found;
  }
  release(): void {
    for (const open of this.gates.splice(0)) open();
  }
}

async function setUp(winners = 10): Promise<{ store: GatedStore; svc: IssuanceService }> {
  const clock = new ManualClock(T0);
  const store = new GatedStore(clock);
  const svc = new IssuanceService({ store, decider: new ScriptedDecider(), clock, logger: silentLogger, hmacSecret: SECRET });
  await svc.createCampaign(campaignDef());
  await svc.publishCampaign('cmp_test');
  await svc.importEligibility('cmp_test', winnersCsv(winners), 'csv');
  return { store, svc };
}

const claim = (svc: IssuanceService, userId: string, couponTypeId: string, key: string) => svc.claim({ campaignId: 'cmp_test', couponTypeId, userId, idempotencyKey: key, channel: 'app' });

describe('IssuanceService identity lookups', () => {
  it('reads an account once for claims arriving together, each answered on its own', async () => {
    const { store, svc } = await setUp();
    store.holding = true;
    const answers = Promise.all([claim(svc, 'usr_1', 'cpt_dining50', 'a'), claim(svc, 'usr_1', 'cpt_retail20', 'b'), claim(svc, 'usr_1', 'cpt_any10', 'c'), claim(svc, 'usr_2', 'cpt_any10', 'd')]);
    await new Promise((r) => setImmediate(r));
    expect(store.reads).toBe(2); // usr_1 once, usr_2 once
    store.release();
    const [a, b, c, d] = await answers;
    // Limits: 2 per person per batch, so the third of usr_1's claims in batch 1 is refused.
    expect([a!.kind, b!.kind, c!.kind]).toEqual(['granted', 'granted', 'limit_reached']);
    expect(c).toMatchObject({ detail: 'per_batch' });
    expect(d!.kind).toBe('granted');
    expect(await store.wallet('cmp_test', 'usr_1')).toHaveLength(2);
  });

  it('reads again when the shared read found no binding: one granted meanwhile counts', async () => {
    const { store, svc } = await setUp();
    store.holding = true;
    const first = claim(svc, 'usr_late', 'cpt_dining50', 'a');
    await new Promise((r) => setImmediate(r));
    // The account is bound after the first read, then a second claim comes while it is on its way.
    store.holding = false;
    await svc.importEligibility('cmp_test', JSON.stringify([{ nationalId: nationalId(500), phone: phone(500), userId: 'usr_late' }]), 'json');
    const second = claim(svc, 'usr_late', 'cpt_retail20', 'b');
    await new Promise((r) => setImmediate(r));
    expect(store.reads).toBe(1); // the second waits for the first's read
    store.release();
    expect(await first).toMatchObject({ kind: 'not_eligible', detail: 'no_eligibility' });
    expect(await second).toMatchObject({ kind: 'granted' });
    expect(store.reads).toBe(2);
  });

  it('does not pass a failed read on: the next claim reads for itself', async () => {
    const { store, svc } = await setUp();
    store.holding = true;
    store.failNext = true;
    const both = Promise.allSettled([claim(svc, 'usr_3', 'cpt_dining50', 'a'), claim(svc, 'usr_3', 'cpt_retail20', 'b')]);
    await new Promise((r) => setImmediate(r));
    expect(store.reads).toBe(1);
    store.holding = false;
    store.release();
    const [a, b] = await both;
    expect(a).toMatchObject({ status: 'rejected', reason: { message: 'store down' } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { kind: 'granted' } });
    expect(store.reads).toBe(2);
  });
});
