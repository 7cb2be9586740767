import { describe, expect, it } from 'vitest';
import { StoreDecisionSink, type RowInserter } from './store-sink.ts';
import type { DecisionRecord } from './types.ts';

const rec = (i: number, shadow = false): DecisionRecord => ({
  decisionId: `dec_${i}`, eventId: `evt_${i}`, eventType: 'claim', occurredAtMs: Date.parse('2026-05-01T10:00:00.040+08:00'), decision: 'block', score: 95,
  reasons: ['BOT.CLAIM_LATENCY'], rulesetVersion: 'v1', shadow, explanation: [{ rule: 'bot.claim_latency@1', outcome: 'hit', observed: 40, reason: 'BOT.CLAIM_LATENCY' }],
});

class FlakyStore implements RowInserter {
  inserts: { table: string; rows: readonly Record<string, unknown>[] }[] = [];
  failNext = false;
  async insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store down');
    }
    this.inserts.push({ table, rows });
  }
}

describe('StoreDecisionSink', () => {
  it('writes decisions_v1 rows with the explanation as JSON and the shadow flag', async () => {
    const store = new FlakyStore();
    const sink = new StoreDecisionSink(store, { maxRows: 100 });
    await sink.write([rec(1), rec(1, true)]);
    await sink.flush();
    expect(store.inserts).toHaveLength(1);
    const [live, shadow] = store.inserts[0]!.rows;
    expect(store.inserts[0]!.table).toBe('decisions_v1');
    expect(live).toMatchObject({ eventId: 'evt_1', occurredAt: '2026-05-01 02:00:00.040', decision: 'block', shadow: 0, reasons: ['BOT.CLAIM_LATENCY'] });
    expect(JSON.parse(String(live!.explanation))).toEqual([{ rule: 'bot.claim_latency@1', outcome: 'hit', observed: 40, reason: 'BOT.CLAIM_LATENCY' }]);
    expect(shadow).toMatchObject({ shadow: 1 });
  });

  it('keeps the rows of a failed insert for the next flush', async () => {
    const store = new FlakyStore();
    const sink = new StoreDecisionSink(store, { maxRows: 100 });
    await sink.write([rec(2)]);
    store.failNext = true;
    await expect(sink.flush()).rejects.toThrow('store down');
    await sink.write([rec(3)]);
    await sink.flush();
    expect(store.inserts.flatMap((i) => i.rows.map((r) => r.eventId))).toEqual(['evt_2', 'evt_3']);
  });

  it('inserts a large flush in slices and, when a slice fails, keeps only the rows not yet stored', async () => {
    const store = new FlakyStore();
    const sink = new StoreDecisionSink(store, { maxRows: 1000, sliceRows: 2 });
    await sink.write([rec(1), rec(2), rec(3), rec(4), rec(5)]);
    const insert = store.insert.bind(store);
    let calls = 0;
    store.insert = async (table, rows) => {
      if (++calls === 2) throw new Error('store down');
      return insert(table, rows);
    };
    await expect(sink.flush()).rejects.toThrow('store down');
    expect(store.inserts.map((i) => i.rows.length)).toEqual([2]);
    await sink.flush();
    expect(store.inserts.map((i) => i.rows.length)).toEqual([2, 2, 1]);
    expect(store.inserts.flatMap((i) => i.rows.map((r) => r.eventId))).toEqual(['evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5']);
  });

  it('does not hold a decision while the store catches up, until too many rows are unstored', async () => {
    const release: (() => void)[] = [];
    const stored: string[] = [];
    const slow: RowInserter = {
      insert: (_t, rows) => new Promise<void>((resolve) => release.push(() => { stored.push(...rows.map((r) => String(r.eventId))); resolve(); })),
    };
    const sink = new StoreDecisionSink(slow, { maxRows: 2, highWaterRows: 4 });
    const settled = (p: Promise<void>) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]);
    // Rows 1-4: two flushes start, neither waited for (4 rows in flight is not above 4).
    expect(await settled(sink.write([rec(1), rec(2)]))).toBe(true);
    expect(await settled(sink.write([rec(3), rec(4)]))).toBe(true);
    // Rows 5-6 take it to 6 in flight: this writer waits for the store.
    const held = sink.write([rec(5), rec(6)]);
    expect(await settled(held)).toBe(false);
    while (stored.length < 6) {
      await new Promise((r) => setImmediate(r));
      release.shift()?.();
    }
    await held;
    expect(stored).toEqual(['evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5', 'evt_6']);
  });
});
