import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.ts';
import { campaignDef } from '../testing/fixtures.ts';
import { MemoryIssuanceStore } from './memory.ts';
import type { Outbox } from './outbox.ts';
import { storeContract } from './store.contract.ts';
import type { IssuanceStore } from './store.ts';

storeContract('memory', async (clock) => ({ store: new MemoryIssuanceStore(clock), cleanup: async () => {} }));

/**
 * The journaled store, closed and reopened from its directory before every call, so each answer
 * the suite checks comes from a store rebuilt from the journal (and, with a small rewrite size,
 * from snapshots): a restart must change nothing the contract can see.
 */
function restartingStore(clock: Clock, rewriteMinBytes: number): { store: IssuanceStore; cleanup(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'qg-hot-'));
  const open = () => MemoryIssuanceStore.open(dir, clock, { fsyncEveryMs: 0, rewriteMinBytes, compactOnOpenBytes: 2 * rewriteMinBytes });
  let current = open();
  // Synchronous, so calls racing in one tick (the suite's storms) each see a whole store.
  const restart = () => {
    void current.close();
    current = open();
  };
  const relay = <T extends object>(pick: () => T): T =>
    new Proxy({} as T, {
      get: (_t, prop) => {
        return (...args: unknown[]) => {
          restart();
          return (pick() as Record<string | symbol, (...a: unknown[]) => unknown>)[prop]!(...args);
        };
      },
    });
  const outbox = relay<Outbox>(() => current.outbox);
  const calls = relay<IssuanceStore>(() => current);
  const store = new Proxy({} as IssuanceStore, {
    get: (_t, prop) => (prop === 'outbox' ? outbox : prop === 'backend' ? 'memory' : (calls as unknown as Record<string | symbol, unknown>)[prop]),
  });
  return {
    store,
    cleanup: async () => {
      await current.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

storeContract('memory, journaled, restarted before every call', async (clock) => restartingStore(clock, 64 << 20));
storeContract('memory, journaled with snapshots every 2 KB (running) and 4 KB (at open), restarted before every call', async (clock) => restartingStore(clock, 2048));

it('journals a large eligibility import in lines of 10,000 grants and replays all of it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qg-hot-import-'));
  try {
    const clock = { now: () => 1_777_000_000_000 };
    const a = MemoryIssuanceStore.open(dir, clock, { fsyncEveryMs: 0 });
    await a.createCampaign({ ...campaignDef() });
    const grants = Array.from({ length: 25_001 }, (_, i) => ({ userId: `usr_${i}`, idHash: `h${i}`, phoneHash: `p${i}`, eventJson: `{"n":${i}}` }));
    expect((await a.grantEligibility('cmp_test', grants)).every((o) => o === 'granted')).toBe(true);
    await a.close();
    const lines = readFileSync(join(dir, 'issuance.journal'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as [number, number, string, unknown[]])[2])).toEqual(['createCampaign', 'grantEligibility', 'grantEligibility', 'grantEligibility']);
    const b = MemoryIssuanceStore.open(dir, clock, { fsyncEveryMs: 0 });
    expect(await b.identity('cmp_test', 'usr_25000')).toEqual({ idHash: 'h25000', phoneHash: 'p25000' });
    expect(await b.identity('cmp_test', 'usr_9999')).toEqual({ idHash: 'h9999', phoneHash: 'p9999' });
    expect(await b.outbox.backlog('relay')).toBe(25_001);
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
