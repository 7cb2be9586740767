// What every ListStore does; run over memory (unit) and Redis (integration).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ListEntry, ListStore } from './types.ts';

const T = Date.parse('2026-01-23T10:00:00.000+08:00');
const entry = (over: Partial<ListEntry>): ListEntry => ({
  kind: 'block', entityType: 'user', entityId: 'usr_1', expiresAt: null, by: 'analyst:li', reason: 'confirmed farm account', createdAt: T, ...over,
});

export function listStoreContract(make: () => Promise<ListStore>): void {
  let s: ListStore;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(async () => {
    await s.close();
  });

  it('finds an entry on any of the event entities, with who and why', async () => {
    await s.add(entry({ entityId: 'usr_a' }));
    const got = await s.match([{ entityType: 'device', entityId: 'dev_x' }, { entityType: 'user', entityId: 'usr_a' }], T);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'block', by: 'analyst:li', reason: 'confirmed farm account' });
  });

  it('ignores entries expired at the event time', async () => {
    await s.add(entry({ entityId: 'usr_b', kind: 'allow', expiresAt: T + 1000 }));
    expect(await s.match([{ entityType: 'user', entityId: 'usr_b' }], T)).toHaveLength(1);
    expect(await s.match([{ entityType: 'user', entityId: 'usr_b' }], T + 1000)).toHaveLength(0);
  });

  it('keeps a snooze per rule apart from block and allow, and removes one without the others', async () => {
    await s.add(entry({ entityType: 'merchant', entityId: 'mch_1', kind: 'snooze', ruleId: 'cash_out.late_hour' }));
    await s.add(entry({ entityType: 'merchant', entityId: 'mch_1', kind: 'allow' }));
    expect(await s.match([{ entityType: 'merchant', entityId: 'mch_1' }], T)).toHaveLength(2);
    expect(await s.remove('snooze', 'merchant', 'mch_1', 'cash_out.late_hour')).toBe(true);
    const left = await s.match([{ entityType: 'merchant', entityId: 'mch_1' }], T);
    expect(left.map((e) => e.kind)).toEqual(['allow']);
    expect(await s.remove('block', 'merchant', 'mch_1')).toBe(false);
  });
}
