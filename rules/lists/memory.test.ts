import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listStoreContract } from './lists.contract.ts';
import { MemoryListStore } from './memory.ts';
import type { ListEntry } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-lists-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('MemoryListStore', () => {
  listStoreContract(async () => new MemoryListStore());
});

describe('MemoryListStore, journaled', () => {
  listStoreContract(async () => MemoryListStore.open(join(dir, 'contract'), { fsyncEveryMs: 0 }));

  it('keeps entries and removals across a restart', async () => {
    const at = Date.parse('2026-05-01T10:00:00+08:00');
    const entry = (entityId: string, over: Partial<ListEntry> = {}): ListEntry => ({ kind: 'block', entityType: 'merchant', entityId, expiresAt: null, by: 'analyst:wang', reason: 'shell shop', createdAt: at, ...over });
    const a = MemoryListStore.open(join(dir, 'restart'), { fsyncEveryMs: 0 });
    await a.add(entry('mch_1'));
    await a.add(entry('mch_2'));
    await a.add(entry('mch_2', { kind: 'snooze', ruleId: 'cash_out.late_hour', expiresAt: at + 3600_000 }));
    expect(await a.remove('block', 'merchant', 'mch_2')).toBe(true);
    await a.close();
    const b = MemoryListStore.open(join(dir, 'restart'), { fsyncEveryMs: 0 });
    const found = await b.match([{ entityType: 'merchant', entityId: 'mch_1' }, { entityType: 'merchant', entityId: 'mch_2' }], at);
    expect(found.map((e) => [e.entityId, e.kind, e.ruleId ?? null, e.by])).toEqual([['mch_1', 'block', null, 'analyst:wang'], ['mch_2', 'snooze', 'cash_out.late_hour', 'analyst:wang']]);
    expect(await b.match([{ entityType: 'merchant', entityId: 'mch_2' }], at + 3600_000)).toEqual([]);
    await b.close();
  });
});
