import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from './results.ts';
import { parseChannelCsv, reconcile, summarizeLedger } from './settlement.ts';

const entry = (orderId: string, over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  campaignId: 'cmp_a', orderId, merchantId: 'mch_a', userId: 'usr_a', day: '2026-05-01', couponId: 'cpn_a', redemptionId: 'rdm_a',
  orderFen: 30_000, discountFen: 5_000, paidFen: 25_000, refundedFen: 0, subsidyFen: 5_000, status: 'owed', decision: 'allow', ...over,
});

describe('settlement', () => {
  it('sums owed and held subsidy per merchant and day', () => {
    const s = summarizeLedger([entry('o1'), entry('o2', { status: 'held' }), entry('o3', { status: 'clawed_back', subsidyFen: 0 }), entry('o4', { day: '2026-05-02' })]);
    expect(s).toEqual([
      { merchantId: 'mch_a', day: '2026-05-01', orders: 3, owedFen: 5_000, heldFen: 5_000, clawedBackOrders: 1, discountFen: 15_000 },
      { merchantId: 'mch_a', day: '2026-05-02', orders: 1, owedFen: 5_000, heldFen: 0, clawedBackOrders: 0, discountFen: 5_000 },
    ]);
  });

  it('reports missing, extra and differing orders and names bad channel lines', () => {
    const csv = 'order_id,paid,discount\no1,25000,5000\no2,24000,5000\no9,100,10\no3,12.5,1\n';
    const ch = parseChannelCsv(csv);
    expect(ch.problems).toEqual([{ line: 5, reason: 'paid must be a non-negative integer number of fen' }]);
    const r = reconcile([entry('o1'), entry('o2'), entry('o4', { refundedFen: 5_000 })], ch.rows);
    expect(r.matched).toBe(1);
    expect(r.differing).toEqual([{ orderId: 'o2', field: 'paidFen', ledger: 25_000, channel: 24_000 }]);
    expect(r.extra).toEqual([{ orderId: 'o9', line: 4, paidFen: 100, discountFen: 10 }]);
    expect(r.missing).toEqual([{ orderId: 'o4', merchantId: 'mch_a', paidFen: 20_000, discountFen: 5_000 }]);
  });
});
