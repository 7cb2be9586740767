import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { MemoryFeatureStore } from './memory.ts';
import { ReferenceMemoryFeatureStore } from './memory.reference.ts';
import type { FeatureOp } from './store.ts';
import { featureStoreContract } from './store.contract.ts';

describe('MemoryFeatureStore', () => {
  featureStoreContract(async () => new MemoryFeatureStore());
});

// The columnar store must answer exactly what the object-per-entity store answered: same values,
// bit for bit (float sums included), on streams with late events, what-if reads, redelivered ids,
// entities that come back after their window emptied, and sweeps.
describe('MemoryFeatureStore against the object-per-entity reference', () => {
  const FEATURES = [
    { ns: 'count.1m', kind: 'sum', bucketMs: 5_000, buckets: 12, entities: 40, value: () => 1 },
    { ns: 'lat.30d', kind: 'sum', bucketMs: 86_400_000, buckets: 30, entities: 5, value: (r: Rng) => 34 + r.next() },
    { ns: 'fen.1h', kind: 'sum', bucketMs: 300_000, buckets: 12, entities: 300, value: (r: Rng) => (r.bool(0.1) ? 0 : r.int(1, 50_000)) },
    { ns: 'tiny.10s', kind: 'sum', bucketMs: 1_000, buckets: 10, entities: 3, value: (r: Rng) => r.next() - 0.5 },
    // Wide dynamic range: a different order of additions and subtractions shows in the last bits.
    { ns: 'float.20s', kind: 'sum', bucketMs: 2_000, buckets: 10, entities: 4, value: (r: Rng) => (r.next() - 0.3) * 10 ** r.int(-3, 6) },
    { ns: 'users.1h', kind: 'distinct', bucketMs: 300_000, buckets: 12, entities: 30, value: () => NaN },
    { ns: 'users.2m', kind: 'distinct', bucketMs: 10_000, buckets: 12, entities: 500, value: () => NaN },
    // Few entities with hundreds of members each (a busy shop's payers): late events land inside
    // long member lists, where the sorted arrays place and count them by binary search.
    { ns: 'users.30m', kind: 'distinct', bucketMs: 60_000, buckets: 30, entities: 4, members: 400, value: () => NaN },
    // Pair kinds given in parts (entityTail): merchant×user and merchant×amount. The reference
    // keys them by the joined string; ours by the parts, built fresh per op as events do.
    { ns: 'pair.1h', kind: 'sum', bucketMs: 300_000, buckets: 12, entities: 6, tail: 'user', value: () => 1 },
    { ns: 'amount.1h', kind: 'sum', bucketMs: 300_000, buckets: 12, entities: 6, tail: 'fen', value: () => 1 },
    { ns: 'pairusers.1h', kind: 'distinct', bucketMs: 300_000, buckets: 12, entities: 6, tail: 'user', value: () => NaN },
  ] as const;

  // With kinds, features whose names share a first letter share one key numbering, and the
  // distinct members ("u3") are numbered with the users.* entities ("u3" too): keys numbered once
  // for several features and for both roles, given back at sweeps, must not change an answer.
  for (const [seed, kinds] of [[1, false], [2, false], [3, false], [4, true], [5, true], [6, true]] as const) {
    it(`gives identical values on a random stream (seed ${seed}${kinds ? ', entity and member kinds' : ''})`, () => {
      const rng = new Rng(seed);
      const ours = new MemoryFeatureStore({ sweepEvery: 997, dedupCapacity: 50, hashSeed: seed });
      const ref = new ReferenceMemoryFeatureStore({ sweepEvery: 997, dedupCapacity: 50 });
      let t = Date.parse('2026-05-01T10:00:00.000+08:00');
      const ids: string[] = [];
      let nonZero = 0;
      for (let i = 0; i < 20_000; i++) {
        // Mostly forward in small steps, sometimes a long gap (windows empty), sometimes late.
        t += rng.bool(0.01) ? rng.int(0, 3 * 86_400_000) : rng.int(0, 4_000);
        const at = rng.bool(0.05) ? t - rng.int(0, 600_000) : t;
        const ops: FeatureOp[] = [];
        for (const f of FEATURES) {
          if (!rng.bool(0.6)) continue;
          const entity = `${f.ns[0]}${rng.int(0, f.entities - 1)}`;
          const entityKind = kinds ? `letter:${f.ns[0]}` : undefined;
          const entityTail = !('tail' in f) ? undefined : f.tail === 'fen' ? rng.int(1, 8) * 1_000 + (rng.bool(0.1) ? 2 ** 33 : 0) : `u${String(rng.int(0, 7))}`;
          if (f.kind === 'sum') ops.push({ ns: f.ns, entity, entityTail, kind: 'sum', bucketMs: f.bucketMs, buckets: f.buckets, add: rng.bool(0.05) ? NaN : f.value(rng), entityKind });
          else ops.push({ ns: f.ns, entity, entityTail, kind: 'distinct', bucketMs: f.bucketMs, buckets: f.buckets, add: NaN, member: rng.bool(0.05) ? undefined : `u${rng.int(0, ('members' in f ? f.members : 9) - 1)}`, entityKind, memberKind: kinds ? 'letter:u' : undefined });
        }
        const record = !rng.bool(0.05);
        let dedupId: string | undefined;
        if (rng.bool(0.3)) {
          dedupId = ids.length && rng.bool(0.2) ? ids[rng.int(0, ids.length - 1)]! : `evt_${i}`;
          ids.push(dedupId);
        }
        const a = ours.applySync(ops, at, { record, dedupId });
        const b = ref.applySync(ops, at, { record, dedupId });
        expect([...a], `event ${i}`).toEqual([...b]);
        for (const v of a) if (v !== 0) nonZero++;
      }
      // The stream exercised windows that hold something, not only empty ones.
      expect(nonZero).toBeGreaterThan(20_000);
    });
  }
});

// The key tables are open-addressing tables of the store's own: they grow, are rebuilt at sweeps
// (and shrink when most keys left), and find ropes ("merchant>user", built per event) by content.
describe('MemoryFeatureStore key tables', () => {
  it('gives identical values through growth, sweeps that free most keys, and rope keys', () => {
    const rng = new Rng(11);
    const ours = new MemoryFeatureStore({ sweepEvery: 5_000, hashSeed: 12345 });
    const ref = new ReferenceMemoryFeatureStore({ sweepEvery: 5_000 });
    let t = Date.parse('2026-05-01T10:00:00.000+08:00');
    let repeats = 0;
    for (let i = 0; i < 30_000; i++) {
      // Every 7,000 events a day passes: the 10-minute windows empty and the next sweep frees them.
      t += i % 7_000 === 0 ? 86_400_000 : rng.int(0, 50);
      const merchant = `mch_${rng.int(0, 99)}`;
      const user = `usr_${rng.int(0, 1_999)}`;
      const ops: FeatureOp[] = [
        { ns: 'pair.10m', entity: `${merchant}>${user}`, kind: 'sum', bucketMs: 60_000, buckets: 10, add: 1, entityKind: 'merchantUser' },
        { ns: 'merchant.users.10m', entity: merchant, kind: 'distinct', bucketMs: 60_000, buckets: 10, add: NaN, member: user, entityKind: 'merchant', memberKind: 'user' },
        { ns: 'user.fen.10m', entity: user, kind: 'sum', bucketMs: 60_000, buckets: 10, add: rng.int(1, 9_999), entityKind: 'user' },
      ];
      const record = !rng.bool(0.05);
      const a = ours.applySync(ops, t, { record });
      const b = ref.applySync(ops, t, { record });
      expect([...a], `event ${i}`).toEqual([...b]);
      if (a[0]! > 1) repeats++;
    }
    // Pairs were found again by content (a new rope each time), not only numbered once.
    expect(repeats).toBeGreaterThan(100);
  });
});
