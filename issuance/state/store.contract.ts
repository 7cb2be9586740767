// The one contract suite both stores run (memory always, Redis when REDIS_URL is set). It drives
// the store through IssuanceService so the events the store appends are the real ones.
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { TOPICS } from '../../core/bus.ts';
import { parseEventLine } from '../../core/events.ts';
import { silentLogger } from '../../core/logger.ts';
import { createRelay } from '../relay.ts';
import { IssuanceService, type RedeemRequest } from '../service.ts';
import { DAY, HOUR, T0, ScriptedDecider, campaignDef, nationalId, phone, winnersCsv } from '../testing/fixtures.ts';
import { RecordingBus } from '../testing/recording-bus.ts';
import type { ClaimResult } from '../results.ts';
import type { IssuanceStore } from './store.ts';

export interface StoreHarness {
  store: IssuanceStore;
  cleanup(): Promise<void>;
}

const SECRET = 'contract-suite-secret-0123456789';

export function storeContract(name: string, make: (clock: ManualClock) => Promise<StoreHarness>): void {
  describe(`IssuanceStore contract: ${name}`, () => {
    let clock: ManualClock;
    let store: IssuanceStore;
    let decider: ScriptedDecider;
    let svc: IssuanceService;
    let harness: StoreHarness;

    beforeEach(async () => {
      clock = new ManualClock(T0);
      harness = await make(clock);
      store = harness.store;
      decider = new ScriptedDecider();
      svc = new IssuanceService({ store, decider, clock, logger: silentLogger, hmacSecret: SECRET });
      return () => harness.cleanup();
    });

    async function drain(): Promise<{ type: string; [k: string]: unknown }[]> {
      const bus = new RecordingBus();
      await createRelay({ outbox: store.outbox, bus, logger: silentLogger, consumer: 'drain' }).runOnce();
      return bus.published.filter((p) => p.topic === TOPICS.events).map((p) => JSON.parse(p.message.value));
    }

    async function ready(def = campaignDef(), winners = 10): Promise<void> {
      await svc.createCampaign(def);
      await svc.publishCampaign(def.campaignId);
      await svc.importEligibility(def.campaignId, winnersCsv(winners), 'csv');
    }

    let seq = 0;
    const claim = (userId: string, couponTypeId: string, key = `idem_${seq++}`): Promise<ClaimResult> =>
      svc.claim({ campaignId: 'cmp_test', couponTypeId, userId, idempotencyKey: key, channel: 'app' });

    describe('campaigns and eligibility', () => {
      it('publishes once and emits campaign.published', async () => {
        await svc.createCampaign(campaignDef());
        expect(await svc.publishCampaign('cmp_test')).toEqual({ status: 'published' });
        expect(await svc.publishCampaign('cmp_test')).toEqual({ status: 'already_published' });
        const events = await drain();
        expect(events.map((e) => e.type)).toEqual(['campaign.published']);
        expect(parseEventLine(JSON.stringify(events[0])).ok).toBe(true);
        expect(await store.inventory('cmp_test')).toEqual({ stock: { cpt_dining50: 100, cpt_retail20: 100, cpt_any10: 100, cpt_dining30: 100 }, budgetFen: 10_000_000 });
      });

      it('rejects bad lines with masked values and a re-import changes nothing', async () => {
        await svc.createCampaign(campaignDef());
        await svc.publishCampaign('cmp_test');
        const badId = nationalId(7).slice(0, 17) + (nationalId(7).endsWith('0') ? '1' : '0');
        const csv = winnersCsv(3, [`李四,${badId},${phone(50)},usr_50`, `王五,${nationalId(51)},12345,usr_51`, `赵六,${nationalId(52)}`]);
        const first = await svc.importEligibility('cmp_test', csv, 'csv');
        expect(first).toMatchObject({ lines: 6, granted: 3, unchanged: 0 });
        expect(first.rejected.map((r) => [r.line, r.field])).toEqual([[5, 'nationalId'], [6, 'phone'], [7, '(line)']]);
        expect(first.rejected[0]!.reason).toContain('check digit');
        expect(JSON.stringify(first)).not.toContain(badId);
        expect(JSON.stringify(first)).not.toContain(phone(50));
        const again = await svc.importEligibility('cmp_test', csv, 'csv');
        expect(again).toMatchObject({ granted: 0, unchanged: 3 });
        const events = await drain();
        expect(events.filter((e) => e.type === 'eligibility.granted')).toHaveLength(3);
        expect(JSON.stringify(events)).not.toContain(nationalId(0));
      });

      it('binds several accounts to one person and refuses rebinding an account', async () => {
        await ready();
        const json = JSON.stringify([
          { name: 'x', nationalId: nationalId(0), phone: phone(0), userId: 'usr_0b' },
          { name: 'y', nationalId: nationalId(99), phone: phone(99), userId: 'usr_1' },
        ]);
        const r = await svc.importEligibility('cmp_test', json, 'json');
        expect(r.granted).toBe(1);
        expect(r.rejected).toEqual([{ line: 2, field: 'userId', reason: 'account is already bound to another person' }]);
        expect((await store.identity('cmp_test', 'usr_0b'))?.idHash).toBe((await store.identity('cmp_test', 'usr_0'))?.idHash);
      });
    });

    describe('claims', () => {
      beforeEach(() => ready());

      it('grants into the wallet and appends a contract claim event', async () => {
        const r = await claim('usr_1', 'cpt_dining50');
        expect(r).toMatchObject({ kind: 'granted', batchId: 'bat_1', couponTypeId: 'cpt_dining50', replayed: false });
        const wallet = await store.wallet('cmp_test', 'usr_1');
        expect(wallet).toEqual([{ couponId: (r as { couponId: string }).couponId, campaignId: 'cmp_test', batchId: 'bat_1', couponTypeId: 'cpt_dining50', status: 'unused', claimedAtMs: T0 }]);
        const claims = (await drain()).filter((e) => e.type === 'claim');
        expect(claims).toHaveLength(1);
        expect(String(claims[0]!.eventId)).toMatch(/^evt_/);
        expect(parseEventLine(JSON.stringify(claims[0])).ok).toBe(true);
        expect(await store.inventory('cmp_test')).toMatchObject({ budgetFen: 10_000_000 - 5_000, stock: { cpt_dining50: 99 } });
      });

      it('answers the same request twice with the same coupon and a reused key with duplicate', async () => {
        const a = await claim('usr_1', 'cpt_dining50', 'k1');
        const b = await claim('usr_1', 'cpt_dining50', 'k1');
        expect(b).toEqual({ ...a, replayed: true });
        expect(await claim('usr_1', 'cpt_retail20', 'k1')).toEqual({ kind: 'duplicate', detail: 'idempotency_key_reused', replayed: false });
        // Keys are scoped to the user: another user's k1 is another request.
        expect((await claim('usr_2', 'cpt_dining50', 'k1')).kind).toBe('granted');
        expect(await store.wallet('cmp_test', 'usr_1')).toHaveLength(1);
      });

      it('is not open before the drop and after the batch ends', async () => {
        expect(await claim('usr_1', 'cpt_dining30')).toMatchObject({ kind: 'not_open', detail: 'before_drop' });
        clock.set(T0 + 30 * DAY);
        expect(await claim('usr_1', 'cpt_dining50')).toMatchObject({ kind: 'not_open', detail: 'batch_ended' });
      });

      it('refuses people who did not win', async () => {
        expect(await claim('usr_nobody', 'cpt_dining50')).toMatchObject({ kind: 'not_eligible', detail: 'no_eligibility' });
      });

      it('counts limits per person across accounts: per type, per batch, total', async () => {
        await svc.importEligibility('cmp_test', JSON.stringify([{ nationalId: nationalId(0), phone: phone(0), userId: 'usr_0b' }]), 'json');
        expect((await claim('usr_0', 'cpt_dining50')).kind).toBe('granted');
        expect(await claim('usr_0b', 'cpt_dining50')).toMatchObject({ kind: 'limit_reached', detail: 'per_type' });
        expect((await claim('usr_0b', 'cpt_retail20')).kind).toBe('granted');
        expect(await claim('usr_0', 'cpt_any10')).toMatchObject({ kind: 'limit_reached', detail: 'per_batch' });
        clock.set(T0 + DAY);
        expect((await claim('usr_0', 'cpt_dining30')).kind).toBe('granted');
        await svc.createCampaign(campaignDef({ campaignId: 'cmp_other' }));
        expect(await claim('usr_0b', 'cpt_any10')).toMatchObject({ kind: 'limit_reached', detail: 'per_person' });
      });

      it('sells out on stock and on budget', async () => {
        const def = campaignDef({ campaignId: 'cmp_small', budgetFen: 12_000, limits: { perPerson: 0, perPersonPerType: 0, perPersonPerBatch: 0 } });
        def.batches[0]!.coupons[0]!.quantity = 2;
        await ready(def);
        const c = (u: string, t: string) => svc.claim({ campaignId: 'cmp_small', couponTypeId: t, userId: u, idempotencyKey: `s_${seq++}`, channel: 'app' });
        expect((await c('usr_1', 'cpt_dining50')).kind).toBe('granted');
        expect((await c('usr_2', 'cpt_dining50')).kind).toBe('granted');
        expect(await c('usr_3', 'cpt_dining50')).toMatchObject({ kind: 'sold_out', detail: 'stock' });
        expect((await c('usr_3', 'cpt_retail20')).kind).toBe('granted');
        expect(await c('usr_4', 'cpt_any10')).toMatchObject({ kind: 'sold_out', detail: 'budget' });
        expect(await store.inventory('cmp_small')).toMatchObject({ budgetFen: 0 });
      });

      it('blocks users on the block list and on a risk block, with reasons', async () => {
        await svc.blockUser('usr_1');
        expect(await claim('usr_1', 'cpt_dining50')).toMatchObject({ kind: 'blocked', detail: 'user_blocked' });
        // Blocked before being imported into a later campaign: still blocked there.
        await svc.blockUser('usr_late');
        await svc.importEligibility('cmp_test', JSON.stringify([{ nationalId: nationalId(77), phone: phone(77), userId: 'usr_late' }]), 'json');
        expect(await claim('usr_late', 'cpt_dining50')).toMatchObject({ kind: 'blocked', detail: 'user_blocked' });
        decider.answers.set('usr_2', { decision: 'block', reasons: ['BOT.CLAIM_BURST', 'DEVICE.SHARED'] });
        expect(await claim('usr_2', 'cpt_dining50')).toEqual({ kind: 'blocked', detail: 'risk', reasons: ['BOT.CLAIM_BURST', 'DEVICE.SHARED'], replayed: false });
        expect(await store.wallet('cmp_test', 'usr_2')).toEqual([]);
        expect(decider.seen.at(-1)).toMatchObject({ type: 'claim', userId: 'usr_2', idHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      });

      it('never oversells stock or budget nor exceeds limits in a claim storm', async () => {
        const def = campaignDef({ campaignId: 'cmp_storm', budgetFen: 2_000 * 150 + 1_000 * 40, limits: { perPerson: 2, perPersonPerType: 1, perPersonPerBatch: 2 } });
        def.batches[0]!.coupons[1]!.quantity = 150;
        def.batches[0]!.coupons[2]!.quantity = 1000;
        await svc.createCampaign(def);
        await svc.publishCampaign('cmp_storm');
        await svc.importEligibility('cmp_storm', winnersCsv(300), 'csv');
        // Person i also owns a second account, so limits must hold across accounts.
        await svc.importEligibility('cmp_storm', JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ nationalId: nationalId(i), phone: phone(i), userId: `usr_${i}_alt` }))), 'json');
        const attempts = [];
        for (let i = 0; i < 300; i++)
          for (const account of [`usr_${i}`, `usr_${i}_alt`])
            for (const type of ['cpt_retail20', 'cpt_any10'])
              attempts.push(svc.claim({ campaignId: 'cmp_storm', couponTypeId: type, userId: account, idempotencyKey: `${account}:${type}`, channel: 'app' }));
        const results = await Promise.all(attempts);
        const granted = results.filter((r) => r.kind === 'granted');
        const perPerson = new Map<number, string[]>();
        let walletTotal = 0;
        let discounts = 0;
        for (let i = 0; i < 300; i++) {
          const coupons = [...(await store.wallet('cmp_storm', `usr_${i}`)), ...(await store.wallet('cmp_storm', `usr_${i}_alt`))];
          perPerson.set(i, coupons.map((c) => c.couponTypeId));
          walletTotal += coupons.length;
          discounts += coupons.reduce((s, c) => s + (c.couponTypeId === 'cpt_retail20' ? 2_000 : 1_000), 0);
        }
        expect(walletTotal).toBe(granted.length);
        for (const types of perPerson.values()) {
          expect(types.length).toBeLessThanOrEqual(2);
          expect(new Set(types).size).toBe(types.length);
        }
        const retail = [...perPerson.values()].flat().filter((t) => t === 'cpt_retail20').length;
        expect(retail).toBeLessThanOrEqual(150);
        expect(discounts).toBeLessThanOrEqual(def.budgetFen);
        const inv = (await store.inventory('cmp_storm'))!;
        expect(inv.budgetFen).toBe(def.budgetFen - discounts);
        expect(inv.stock.cpt_retail20).toBe(150 - retail);
        expect(results.some((r) => r.kind === 'sold_out')).toBe(true);
        expect(results.some((r) => r.kind === 'limit_reached')).toBe(true);
      });
    });

    describe('redemption, refunds and settlement', () => {
      let couponId: string;
      const order = (over: Partial<RedeemRequest> = {}): RedeemRequest => ({
        campaignId: 'cmp_test',
        orderId: `ord_${seq++}`,
        merchantId: 'mch_noodle',
        userId: 'usr_1',
        orderFen: 30_000,
        cardBin: '622848',
        ...over,
      });

      beforeEach(async () => {
        await ready();
        await svc.registerMerchant({ merchantId: 'mch_noodle', name: 'Noodles', category: 'dining', district: 'haizhou', lat: 34.6, lon: 119.2 });
        await svc.registerMerchant({ merchantId: 'mch_shop', name: 'Shop', category: 'retail', district: 'haizhou', lat: 34.6, lon: 119.2 });
        await svc.registerMerchant({ merchantId: 'mch_far', name: 'Far', category: 'dining', district: 'guannan', lat: 34.1, lon: 119.3 });
        couponId = ((await claim('usr_1', 'cpt_dining50')) as { couponId: string }).couponId;
      });

      it('redeems once, emits the redemption, replays the same order and rejects a different one', async () => {
        const req = order({ couponId, orderId: 'ord_a' });
        const r = await svc.redeem(req);
        expect(r).toMatchObject({ kind: 'redeemed', discountFen: 5_000, paidFen: 25_000, decision: 'allow', settlement: 'owed' });
        expect(await svc.redeem(req)).toEqual({ ...r, replayed: true });
        await expect(svc.redeem({ ...req, orderFen: 40_000 })).rejects.toMatchObject({ code: 'CONFLICT', field: 'orderId' });
        expect(await svc.redeem(order({ couponId }))).toMatchObject({ kind: 'refused', code: 'COUPON_ALREADY_USED' });
        const ev = (await drain()).filter((e) => e.type === 'redemption');
        expect(ev).toHaveLength(1);
        expect(ev[0]).toMatchObject({ orderId: 'ord_a', orderFen: 30_000, discountFen: 5_000, paidFen: 25_000 });
        expect(parseEventLine(JSON.stringify(ev[0])).ok).toBe(true);
      });

      it('spends a coupon once when many orders race for it', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => svc.redeem(order({ couponId }))));
        expect(results.filter((r) => r.kind === 'redeemed')).toHaveLength(1);
        expect(results.filter((r) => r.kind === 'refused' && r.code === 'COUPON_ALREADY_USED')).toHaveLength(19);
      });

      it.each([
        ['MERCHANT_NOT_REGISTERED', { merchantId: 'mch_ghost' }],
        ['DISTRICT_NOT_ALLOWED', { merchantId: 'mch_far' }],
        ['CATEGORY_NOT_ALLOWED', { merchantId: 'mch_shop' }],
        ['THRESHOLD_NOT_MET', { orderFen: 19_999 }],
        ['CARD_BIN_NOT_ACCEPTED', { cardBin: '411111' }],
        ['COUPON_NOT_OWNED', { userId: 'usr_2' }],
        ['COUPON_NOT_FOUND', { couponId: 'cpn_ghost' }],
      ] as const)('refuses with %s', async (code, over) => {
        expect(await svc.redeem(order({ couponId, ...over }))).toMatchObject({ kind: 'refused', code });
      });

      it('refuses expired coupons and blocked or inactive merchants', async () => {
        await svc.registerMerchant({ merchantId: 'mch_shut', name: 'Shut', category: 'dining', district: 'haizhou', lat: 34.6, lon: 119.2, active: false });
        expect(await svc.redeem(order({ couponId, merchantId: 'mch_shut' }))).toMatchObject({ code: 'MERCHANT_INACTIVE' });
        await svc.blockMerchant('mch_noodle');
        expect(await svc.redeem(order({ couponId }))).toMatchObject({ code: 'MERCHANT_BLOCKED' });
        await svc.registerMerchant({ merchantId: 'mch_late', name: 'Late', category: 'dining', district: 'lianyun', lat: 34.6, lon: 119.2 });
        clock.set(T0 + 10 * DAY);
        expect(await svc.redeem(order({ couponId, merchantId: 'mch_late' }))).toMatchObject({ code: 'COUPON_EXPIRED' });
      });

      it('chooses the best coupon the order qualifies for', async () => {
        await claim('usr_1', 'cpt_any10');
        expect(await svc.redeem(order({ orderFen: 15_000 }))).toMatchObject({ kind: 'redeemed', discountFen: 1_000 });
        expect(await svc.redeem(order({ orderFen: 25_000 }))).toMatchObject({ kind: 'redeemed', discountFen: 5_000, couponId });
        expect(await svc.redeem(order({ orderFen: 25_000 }))).toMatchObject({ kind: 'refused', code: 'NO_ELIGIBLE_COUPON' });
      });

      it('applies review, intercept (subsidy held) and block', async () => {
        decider.answers.set('mch_noodle', { decision: 'intercept', reasons: ['CASH_OUT.THRESHOLD_HUGGING'] });
        const r = await svc.redeem(order({ couponId, orderId: 'ord_i' }));
        expect(r).toMatchObject({ kind: 'redeemed', decision: 'intercept', settlement: 'held', discountFen: 5_000 });
        expect(await svc.ledger({ status: 'held' })).toMatchObject([{ orderId: 'ord_i', subsidyFen: 5_000 }]);
        decider.answers.set('mch_noodle', { decision: 'block', reasons: ['SUBSIDY.RING'] });
        const c2 = ((await claim('usr_2', 'cpt_dining50')) as { couponId: string }).couponId;
        const blocked = order({ couponId: c2, userId: 'usr_2', orderId: 'ord_b' });
        expect(await svc.redeem(blocked)).toEqual({ kind: 'refused', code: 'RISK_BLOCKED', reasons: ['SUBSIDY.RING'], replayed: false });
        expect(await svc.redeem(blocked)).toMatchObject({ code: 'RISK_BLOCKED', replayed: true });
        expect((await store.wallet('cmp_test', 'usr_2'))[0]!.status).toBe('unused');
        decider.answers.set('mch_noodle', { decision: 'review', reasons: ['PRICE.ABOVE_BASELINE'] });
        expect(await svc.redeem(order({ couponId: c2, userId: 'usr_2' }))).toMatchObject({ decision: 'review', settlement: 'owed' });
      });

      it('settles: blocking a merchant holds its owed subsidy; release and claw back', async () => {
        await svc.redeem(order({ couponId, orderId: 'ord_s' }));
        const day = (await svc.ledger({}))[0]!.day;
        expect(day).toBe('2026-05-01');
        expect(await svc.blockMerchant('mch_noodle')).toEqual({ merchantId: 'mch_noodle', heldOrders: 1 });
        expect(await svc.ledger({ merchantId: 'mch_noodle', day })).toMatchObject([{ status: 'held', subsidyFen: 5_000 }]);
        expect(await svc.settleHold('ord_s', 'release')).toMatchObject({ kind: 'released', entry: { status: 'owed' } });
        expect(await svc.settleHold('ord_s', 'release')).toEqual({ kind: 'not_held', status: 'owed' });
        const before = (await store.inventory('cmp_test'))!.budgetFen;
        expect(await svc.settleHold('ord_s', 'clawback')).toMatchObject({ kind: 'clawed_back', entry: { status: 'clawed_back', subsidyFen: 0 } });
        expect((await store.inventory('cmp_test'))!.budgetFen).toBe(before + 5_000);
        expect(await svc.settleHold('ord_nope', 'release')).toEqual({ kind: 'not_found' });
      });

      it('leaves nothing owed to a merchant blocked while its redemptions race', async () => {
        const coupons: string[] = [];
        for (let u = 2; u < 10; u++) coupons.push(((await claim(`usr_${u}`, 'cpt_dining50')) as { couponId: string }).couponId);
        const racing = coupons.map((couponId, i) => svc.redeem(order({ couponId, userId: `usr_${i + 2}` })));
        const [, ...results] = await Promise.all([svc.blockMerchant('mch_noodle'), ...racing]);
        const redeemed = results.filter((r) => r.kind === 'redeemed').length;
        expect(results.filter((r) => r.kind === 'refused').every((r) => r.kind === 'refused' && r.code === 'MERCHANT_BLOCKED')).toBe(true);
        expect(await svc.ledger({ merchantId: 'mch_noodle', status: 'owed' })).toEqual([]);
        expect(await svc.ledger({ merchantId: 'mch_noodle', status: 'held' })).toHaveLength(redeemed);
      });

      it('refunds partially (proportional subsidy) then fully (coupon returned within validity)', async () => {
        await svc.redeem(order({ couponId, orderId: 'ord_r', orderFen: 30_000 }));
        const budget0 = (await store.inventory('cmp_test'))!.budgetFen;
        const p = await svc.refund({ refundId: 'rfd_1', orderId: 'ord_r', merchantId: 'mch_noodle', refundFen: 5_000 });
        expect(p).toMatchObject({ kind: 'refunded', full: false, couponReturned: false, subsidyFen: 4_000 });
        expect(await svc.refund({ refundId: 'rfd_1', orderId: 'ord_r', merchantId: 'mch_noodle', refundFen: 5_000 })).toEqual({ ...p, replayed: true });
        await expect(svc.refund({ refundId: 'rfd_1', orderId: 'ord_r', merchantId: 'mch_noodle', refundFen: 6_000 })).rejects.toMatchObject({ code: 'CONFLICT' });
        expect((await store.inventory('cmp_test'))!.budgetFen).toBe(budget0 + 1_000);
        expect(await svc.refund({ refundId: 'rfd_x', orderId: 'ord_r', merchantId: 'mch_noodle', refundFen: 20_001 })).toMatchObject({ code: 'REFUND_EXCEEDS_PAID' });
        expect(await svc.refund({ refundId: 'rfd_y', orderId: 'ord_r', merchantId: 'mch_shop', refundFen: 1 })).toMatchObject({ code: 'MERCHANT_MISMATCH' });
        const f = await svc.refund({ refundId: 'rfd_2', orderId: 'ord_r', merchantId: 'mch_noodle', refundFen: 20_000 });
        expect(f).toMatchObject({ full: true, couponReturned: true, subsidyFen: 0 });
        expect((await store.inventory('cmp_test'))!.budgetFen).toBe(budget0);
        expect((await store.wallet('cmp_test', 'usr_1'))[0]!.status).toBe('unused');
        const refunds = (await drain()).filter((e) => e.type === 'refund');
        expect(refunds.map((e) => e.couponReturned)).toEqual([false, true]);
        expect(refunds.every((e) => parseEventLine(JSON.stringify(e)).ok)).toBe(true);
      });

      it('returns a fully refunded coupon to the pool or burns it, per policy', async () => {
        for (const [policy, expectStock, status] of [['return_to_pool', 100, 'voided'], ['never_return', 99, 'used']] as const) {
          const id = `cmp_${policy}`;
          await ready(campaignDef({ campaignId: id, refundPolicy: policy }));
          const cpn = ((await svc.claim({ campaignId: id, couponTypeId: 'cpt_dining50', userId: 'usr_3', idempotencyKey: `p_${policy}`, channel: 'app' })) as { couponId: string }).couponId;
          await svc.redeem(order({ campaignId: id, couponId: cpn, userId: 'usr_3', orderId: `ord_${policy}` }));
          const r = await svc.refund({ refundId: `rfd_${policy}`, orderId: `ord_${policy}`, merchantId: 'mch_noodle', refundFen: 25_000 });
          expect(r).toMatchObject({ full: true, couponReturned: policy === 'return_to_pool' });
          const inv = (await store.inventory(id))!;
          expect(inv.stock.cpt_dining50).toBe(expectStock);
          expect(inv.budgetFen).toBe(policy === 'return_to_pool' ? 10_000_000 : 10_000_000);
          expect((await store.wallet(id, 'usr_3'))[0]!.status).toBe(status);
          const again = await svc.claim({ campaignId: id, couponTypeId: 'cpt_dining50', userId: 'usr_3', idempotencyKey: `p2_${policy}`, channel: 'app' });
          expect(again.kind).toBe(policy === 'return_to_pool' ? 'granted' : 'limit_reached');
        }
      });
    });

    describe('outbox relay', () => {
      it('delivers every entry at least once across a relay crash', async () => {
        await ready();
        for (let i = 0; i < 5; i++) await claim(`usr_${i}`, 'cpt_any10');
        const expected = 1 + 10 + 5;
        const crashing = new RecordingBus();
        crashing.failNext = 100;
        // The first relay reads every entry, then its publishes fail and it dies without acking.
        await expect(createRelay({ outbox: store.outbox, bus: crashing, logger: silentLogger, consumer: 'a' }).runOnce()).rejects.toThrow();
        const streams = await store.outbox.streams();
        for (const s of streams) await store.outbox.readNew(s, 'relay', 'a', 1000);
        expect(await store.outbox.backlog('relay')).toBe(expected);
        const bus = new RecordingBus();
        const b = createRelay({ outbox: store.outbox, bus, logger: silentLogger, consumer: 'b', minIdleMs: 0 });
        expect(await b.runOnce()).toBe(expected);
        expect(await store.outbox.backlog('relay')).toBe(0);
        const ids = bus.eventIds(TOPICS.events);
        expect(new Set(ids).size).toBe(expected);
        const keys = bus.published.map((p) => p.message.key);
        expect(keys).toContain('usr_0');
        // Acknowledged entries can be trimmed; what is still pending is kept.
        await claim('usr_6', 'cpt_any10');
        const streams2 = await store.outbox.streams();
        for (const s of streams2) await store.outbox.readNew(s, 'relay', 'c', 1000);
        let trimmed = 0;
        for (const s of streams2) trimmed += await store.outbox.trim(s, 'relay');
        expect(trimmed).toBe(expected);
        expect(await store.outbox.backlog('relay')).toBe(1);
        const late = new RecordingBus();
        expect(await createRelay({ outbox: store.outbox, bus: late, logger: silentLogger, consumer: 'd', minIdleMs: 0 }).runOnce()).toBe(1);
        expect(late.published.map((p) => JSON.parse(p.message.value).type)).toEqual(['claim']);
      });
    });
  });
}
