// eventValues (value arrays, what the ingester now inserts for claims, redemptions and refunds)
// must write exactly what eventRow writes, and a block inserted as RowValues must store exactly the
// rows the same block stores when inserted as objects.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { QuanguardEvent } from '../../core/events.ts';
import { Rng } from '../../core/rng.ts';
import { generateEvents } from '../testing/events.ts';
import { openTestStore, type TestStore } from '../testing/store.ts';
import { EVENT_COLUMNS, EVENT_TABLES, eventRow, eventValues, rowValues } from './rows.ts';

let stores: TestStore[] = [];
afterEach(async () => {
  await Promise.all(stores.map((s) => s.dispose()));
  stores = [];
});

/** Generated events plus variants with every optional field set and with none (items, nulls, quotes). */
function sample(): QuanguardEvent[] {
  const events = generateEvents(new Rng('rows-values-v1'), 3000, { merchants: 20, users: 300 });
  const extra: QuanguardEvent[] = [];
  let n = 0;
  for (const e of events) {
    if (e.type === 'claim') {
      extra.push({ ...e, eventId: `evt_full_${n++}`, idHash: 'ab'.repeat(16), phoneHash: 'cd'.repeat(16), deviceId: 'dev "q" \\ é', ip: '::1', lat: 34.6, lon: 119.2, userAgent: 'ua\n\t"x"', accountCreatedAt: '2025-12-31T23:59:59.999+08:00' });
      const { idHash: _a, phoneHash: _b, deviceId: _c, ip: _d, lat: _e, lon: _f, userAgent: _g, accountCreatedAt: _h, ...bare } = e;
      extra.push({ ...bare, eventId: `evt_bare_${n++}` });
    } else if (e.type === 'redemption') {
      extra.push({ ...e, eventId: `evt_full_${n++}`, terminalId: 'trm_1', cardBin: '622848', cardHash: 'ef'.repeat(16), deviceId: 'd', ip: '10.0.0.1', lat: -0.5, lon: 0, items: [{ sku: 'sku "1"', qty: 2, unitPriceFen: 150 }] });
      const { terminalId: _a, cardBin: _b, cardHash: _c, deviceId: _d, ip: _e, lat: _f, lon: _g, items: _h, ...bare } = e;
      extra.push({ ...bare, eventId: `evt_bare_${n++}` });
    } else if (e.type === 'refund') {
      extra.push({ ...e, eventId: `evt_flip_${n++}`, couponReturned: !e.couponReturned });
    }
  }
  return [...events, ...extra];
}

describe('eventValues', () => {
  it('writes eventRow\'s columns and values, in EVENT_COLUMNS order, for claims, redemptions and refunds', () => {
    const events = sample();
    const seen = new Set<string>();
    for (const e of events) {
      const values = eventValues(e);
      const table = EVENT_TABLES[e.type];
      if (!Object.hasOwn(EVENT_COLUMNS, table)) {
        expect(values).toBeUndefined();
        continue;
      }
      seen.add(table);
      const row = eventRow(e);
      const columns = EVENT_COLUMNS[table as keyof typeof EVENT_COLUMNS];
      expect(Object.keys(row)).toEqual([...columns]);
      expect(values).toEqual(columns.map((c) => row[c]));
    }
    expect([...seen].sort()).toEqual(Object.keys(EVENT_COLUMNS).sort());
  });

  it('a block inserted as value arrays stores the same rows as the same block inserted as objects', async () => {
    const [a, b] = (stores = [await openTestStore(), await openTestStore()]);
    const events = sample();
    for (const table of Object.keys(EVENT_COLUMNS) as (keyof typeof EVENT_COLUMNS)[]) {
      const mine = events.filter((e) => EVENT_TABLES[e.type] === table);
      expect(mine.length).toBeGreaterThan(10);
      await a!.insert(table, mine.map(eventRow));
      await b!.insert(table, rowValues(EVENT_COLUMNS[table], mine.map((e) => eventValues(e)!)));
      const dump = (s: TestStore) => s.query(`SELECT * FROM {{db}}.${table} ORDER BY eventId`, {}, z.record(z.string(), z.unknown()));
      const [ra, rb] = [await dump(a!), await dump(b!)];
      expect(ra.length).toBe(mine.length);
      expect(rb).toEqual(ra);
    }
    // The rollup views saw the same inserts.
    const rollup = (s: TestStore) => s.query('SELECT * FROM {{db}}.daily_rollup_v1 ORDER BY ALL', {}, z.record(z.string(), z.unknown()));
    expect(await rollup(b!)).toEqual(await rollup(a!));
  });

  it('refuses value arrays that do not match their column list', async () => {
    const [s] = (stores = [await openTestStore()]);
    await expect(s!.insert('refunds_v1', rowValues(EVENT_COLUMNS.refunds_v1, [['evt_short', '2026-01-23T10:00:00.000+08:00']]))).rejects.toThrow(/2 values for 8 columns/);
  });
});
