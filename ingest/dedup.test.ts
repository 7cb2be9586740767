// The stored-id check finds exactly the ids present, whatever bytes they hold.
import { afterEach, describe, expect, it } from 'vitest';
import { findStored } from './dedup.ts';
import { chTime } from './store/time.ts';
import { openTestStore, type TestStore } from './testing/store.ts';

let store: TestStore | undefined;
afterEach(async () => {
  await store?.dispose();
  store = undefined;
});

const row = (eventId: string) => ({ eventId, occurredAt: chTime(0), campaignId: 'cmp_1', userId: 'usr_1', idHash: 'ab'.repeat(16), phoneHash: 'cd'.repeat(16) });

describe('findStored', () => {
  it.each([
    ['plain ids', ['evt_a', 'evt_b', 'evt,c', "evt'd", 'evt\\e']],
    ['an id holding the separator byte', ['evt_a', 'evt\x1fb', 'evt\nc', 'evt\td']],
  ])('finds exactly the stored ids among many (%s)', async (_label, stored) => {
    store = await openTestStore();
    await store.insert('eligibility_v1', stored.map(row));
    const asked = [...stored, ...Array.from({ length: 9000 }, (_, i) => `evt_missing_${i}`)];
    const found = await findStored(store, new Map([['eligibility_v1', { column: 'eventId', ids: asked }], ['claims_v1', { column: 'eventId', ids: ['evt_a'] }]]));
    expect([...found].sort()).toEqual([...stored].sort());
  });
});
