import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EncodedRows } from '../../ingest/store/encoded-rows.ts';
import { openTestStore, type TestStore } from '../../ingest/testing/store.ts';
import { chTime } from '../../ingest/store/time.ts';
import { DECISION_COLUMNS, DecisionTimeText, StoreDecisionSink, decisionRow, type RowInserter } from './store-sink.ts';
import type { DecisionRecord } from './types.ts';

const rec = (i: number, shadow = false): DecisionRecord => ({
  decisionId: `dec_${i}`, eventId: `evt_${i}`, eventType: 'claim', occurredAtMs: Date.parse('2026-05-01T10:00:00.040+08:00'), decision: 'block', score: 95,
  reasons: ['BOT.CLAIM_LATENCY'], rulesetVersion: 'v1', shadow, explanation: [{ rule: 'bot.claim_latency@1', outcome: 'hit', observed: 40, reason: 'BOT.CLAIM_LATENCY' }],
});

/** A block's lines back as row objects; the explanation (sent as raw JSON) as its JSON text. */
function rowsOf(block: EncodedRows): Record<string, unknown>[] {
  const text = Buffer.from(block.body).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines).toHaveLength(block.length);
  return lines.map((line) => {
    const values = JSON.parse(line) as unknown[];
    expect(block.columns).toEqual(DECISION_COLUMNS);
    const row = Object.fromEntries(block.columns.map((c, i) => [c, values[i]]));
    if (typeof row.explanation !== 'string') row.explanation = JSON.stringify(row.explanation);
    return row;
  });
}

class FlakyStore implements RowInserter {
  inserts: { table: string; rows: readonly Record<string, unknown>[] }[] = [];
  failNext = false;
  async insertBlock(table: string, block: EncodedRows): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store down');
    }
    this.inserts.push({ table, rows: rowsOf(block) });
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
    const insert = store.insertBlock.bind(store);
    let calls = 0;
    store.insertBlock = async (table, rows) => {
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
      insertBlock: (_t, block) => new Promise<void>((resolve) => release.push(() => { stored.push(...rowsOf(block).map((r) => String(r.eventId))); resolve(); })),
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

describe('StoreDecisionSink under a store slower than the traffic', () => {
  it('holds the writer once the timer flushes have left too many rows unstored', async () => {
    const release: (() => void)[] = [];
    let stored = 0;
    const slow: RowInserter = {
      insertBlock: (_t, block) => new Promise<void>((resolve) => release.push(() => { stored += block.length; resolve(); })),
    };
    // Writes far below maxRows, as the decision API's 2,000/s against 5,000 (the timer flushes those).
    const sink = new StoreDecisionSink(slow, { maxRows: 100, maxDelayMs: 1, highWaterRows: 6 });
    const settled = (p: Promise<void>) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);
    const writes: boolean[] = [];
    for (let i = 0; i < 5; i++) writes.push(await settled(sink.write([rec(2 * i), rec(2 * i + 1)])));
    // 2, 4, 6 rows unstored: free; at 8 and 10 the writer waits for the store.
    expect(writes).toEqual([true, true, true, false, false]);
    while (stored < 10) {
      await new Promise((r) => setTimeout(r, 2));
      release.shift()?.();
    }
    // Caught up: a write is free again, and its row is stored by the next flush.
    expect(await settled(sink.write([rec(100)]))).toBe(true);
    const last = sink.flush();
    while (stored < 11) {
      await new Promise((r) => setTimeout(r, 2));
      release.shift()?.();
    }
    await last;
  });
});

describe('DecisionTimeText', () => {
  it('writes what chTime writes, in order, out of order, across seconds, days and odd values', () => {
    const times = new DecisionTimeText();
    const t0 = Date.parse('2026-05-01T23:59:58.990Z');
    const cases = [t0, t0 + 5, t0 + 9, t0 + 10, t0 + 99, t0 + 100, t0 + 1009, t0 + 1010, t0 - 1, t0 + 86_400_000, t0, 0, 999, 1000, 1.5, -1, -1001, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1)];
    for (let i = 0; i < 3000; i++) cases.push(t0 + Math.floor(i * 7.3) - 400);
    for (const ms of cases) expect([ms, times.text(ms)]).toEqual([ms, chTime(ms)]);
    expect(() => times.text(NaN)).toThrow(RangeError);
  });
});

describe('StoreDecisionSink on the analytics store', () => {
  const stores: TestStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.dispose();
  });

  // Values that JSON escapes or that UTF-8 makes multi-byte, in every string the row carries.
  const odd = (i: number): DecisionRecord => {
    const explanation = [
      { rule: 'bot.claim_latency@1', outcome: 'hit', observed: 0.1 + 0.2, reason: 'BOT.CLAIM_LATENCY' },
      { rule: 'cash_out.payer_far@2', outcome: 'error', observed: null, error: 'quote " back \\ tab \t nl \n 消费券 \u2028 \u0001 😀' },
      { rule: 'x@1', outcome: 'no_hit', observed: -1e-7 },
    ];
    const base = { decisionId: `dec_${i}`, eventId: `evt_"${i}"\\ 住宿`, eventType: i % 2 ? ('redemption' as const) : ('claim' as const), occurredAtMs: Date.parse('2026-05-01T10:00:00.040+08:00') + i * 1001, decision: 'review' as const, score: i / 3, reasons: ['BOT.CLAIM_LATENCY', `R"${i}"`], rulesetVersion: 'v2', shadow: i % 3 === 0, explanation };
    // Half carry the engine's JSON text, half only the array (the sink stringifies it).
    return i % 2 ? { ...base, explanationJson: JSON.stringify(explanation) } : base;
  };
  const read = (s: TestStore) =>
    s.query(
      'SELECT decisionId, eventId, eventType, toString(occurredAt) AS occurredAt, decision, score, reasons, rulesetVersion, shadow, explanation FROM {{db}}.decisions_v1 ORDER BY decisionId',
      {},
      z.object({ decisionId: z.string(), eventId: z.string(), eventType: z.string(), occurredAt: z.string(), decision: z.string(), score: z.number(), reasons: z.array(z.string()), rulesetVersion: z.string(), shadow: z.number(), explanation: z.string() }),
    );

  it('stores exactly the rows that decisionRow describes, the explanation byte for byte', async () => {
    const viaSink = await openTestStore();
    const viaRows = await openTestStore();
    stores.push(viaSink, viaRows);
    const records = Array.from({ length: 2500 }, (_, i) => odd(i));
    const sink = new StoreDecisionSink(viaSink, { maxRows: 1000, sliceRows: 700 });
    await sink.write(records.slice(0, 1200));
    await sink.write(records.slice(1200));
    await sink.flush();
    // The reference: the same rows as objects through the store's ordinary insert.
    await viaRows.insert('decisions_v1', records.map(decisionRow));
    const mine = await read(viaSink);
    expect(mine).toHaveLength(records.length);
    expect(mine).toEqual(await read(viaRows));
    const byId = new Map(mine.map((r) => [r.decisionId, r]));
    for (const r of records) expect(byId.get(r.decisionId)!.explanation).toBe(JSON.stringify(r.explanation));
  });
});
