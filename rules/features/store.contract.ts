// The behaviour every FeatureStore must have; run over the memory store (unit) and the Redis store
// (integration) so the two cannot drift apart.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FeatureOp, FeatureStore } from './store.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-01-23T10:00:00.000+08:00');

function count(ns: string, entity: string, windowMin = 10): FeatureOp {
  return { ns, entity, kind: 'sum', bucketMs: MIN, buckets: windowMin, add: 1 };
}
function sum(ns: string, entity: string, add: number): FeatureOp {
  return { ns, entity, kind: 'sum', bucketMs: MIN, buckets: 10, add };
}
function distinct(ns: string, entity: string, member: string | undefined): FeatureOp {
  return { ns, entity, kind: 'distinct', bucketMs: MIN, buckets: 10, member, add: NaN };
}

export function featureStoreContract(make: () => Promise<FeatureStore>): void {
  let store: FeatureStore;
  beforeAll(async () => {
    store = await make();
  });
  afterAll(async () => {
    await store.close();
  });
  const one = async (op: FeatureOp, at: number, dedupId?: string, record = true) => (await store.apply([op], at, { record, dedupId }))[0];

  it('counts events of an entity inside the window that ends at the event time', async () => {
    expect(await one(count('c1', 'u1'), T0)).toBe(1);
    expect(await one(count('c1', 'u1'), T0 + 30_000)).toBe(2);
    expect(await one(count('c1', 'u1'), T0 + 5 * MIN)).toBe(3);
  });

  it('keys a pair given in parts (entityTail) by both parts, string or number tail', async () => {
    const pair = (head: string, tail: string | number, kind: 'sum' | 'distinct' = 'sum'): FeatureOp =>
      kind === 'sum' ? { ...count('p1', head), entityTail: tail } : { ...distinct('p2', head, 'u9'), entityTail: tail };
    // Parts built anew each call, as from each event's fields.
    expect(await one(pair(['m', '1'].join(''), ['u', '1'].join('')), T0)).toBe(1);
    expect(await one(pair(['m', '1'].join(''), ['u', '1'].join('')), T0 + 1_000)).toBe(2);
    expect(await one(pair('m1', 'u2'), T0 + 2_000)).toBe(1);
    expect(await one(pair('m2', 'u1'), T0 + 3_000)).toBe(1);
    expect(await one(pair('m1', 4_200), T0 + 4_000)).toBe(1);
    expect(await one(pair('m1', 4_200), T0 + 5_000)).toBe(2);
    expect(await one(pair('m1', 4_300), T0 + 6_000)).toBe(1);
    expect(await one(pair('m1', 'u1', 'distinct'), T0 + 7_000)).toBe(1);
    expect(await one(pair('m1', 'u2', 'distinct'), T0 + 8_000)).toBe(1);
  });

  it('drops events that fall out of the window', async () => {
    await one(count('c2', 'u1'), T0);
    await one(count('c2', 'u1'), T0 + MIN);
    // 10-minute window: at T0+10.5 min the bucket of T0 has left, the bucket of T0+1 min has not.
    expect(await one(count('c2', 'u1'), T0 + 10 * MIN + 30_000)).toBe(2);
    expect(await one(count('c2', 'u1'), T0 + 60 * MIN)).toBe(1);
  });

  it('keeps entities and features apart', async () => {
    await one(count('c3', 'a'), T0);
    await one(count('c3', 'a'), T0);
    expect(await one(count('c3', 'b'), T0)).toBe(1);
    expect(await one(count('c3x', 'a'), T0)).toBe(1);
  });

  it('sums amounts in fen', async () => {
    expect(await one(sum('s1', 'm1', 10_000), T0)).toBe(10_000);
    expect(await one(sum('s1', 'm1', 2_550), T0 + MIN)).toBe(12_550);
    expect(await one(sum('s1', 'm1', 0), T0 + 2 * MIN)).toBe(12_550);
  });

  it('counts distinct members once however often they come back', async () => {
    expect(await one(distinct('d1', 'dev1', 'u1'), T0)).toBe(1);
    expect(await one(distinct('d1', 'dev1', 'u1'), T0 + 1000)).toBe(1);
    expect(await one(distinct('d1', 'dev1', 'u2'), T0 + 2000)).toBe(2);
    expect(await one(distinct('d1', 'dev1', 'u3'), T0 + 3000)).toBe(3);
    // u1 and u2 age out; u3 was seen at T0+3 s, also out after 11 minutes; u4 is new.
    expect(await one(distinct('d1', 'dev1', 'u4'), T0 + 11 * MIN)).toBe(1);
  });

  it('refreshes a member seen again so it stays in the window', async () => {
    await one(distinct('d2', 'ip', 'u1'), T0);
    await one(distinct('d2', 'ip', 'u2'), T0);
    await one(distinct('d2', 'ip', 'u1'), T0 + 8 * MIN);
    expect(await one(distinct('d2', 'ip', 'u3'), T0 + 12 * MIN)).toBe(2);
  });

  it('reads as if recorded but writes nothing when record is false', async () => {
    await one(count('w1', 'u'), T0);
    expect(await one(count('w1', 'u'), T0 + 1000, undefined, false)).toBe(2);
    expect(await one(count('w1', 'u'), T0 + 2000, undefined, false)).toBe(2);
    expect(await one(distinct('w2', 'dev', 'u9'), T0, undefined, false)).toBe(1);
    expect(await one(distinct('w2', 'dev', 'u8'), T0)).toBe(1);
  });

  it('writes nothing the second time it sees an event id', async () => {
    const id = `evt_${Math.random().toString(36).slice(2)}`;
    const ops = [count('e1', 'u'), distinct('e2', 'dev', 'u1'), sum('e3', 'm', 500)];
    const first = await store.apply(ops, T0, { record: true, dedupId: id });
    const again = await store.apply(ops, T0, { record: true, dedupId: id });
    expect([...first]).toEqual([1, 1, 500]);
    expect([...again]).toEqual([1, 1, 500]);
    expect(await one(count('e1', 'u'), T0 + 1000)).toBe(2);
  });

  it('answers several ops in one call, in order', async () => {
    const out = await store.apply([count('m1', 'x'), sum('m2', 'x', 7), distinct('m3', 'x', 'a')], T0, { record: true });
    expect([...out]).toEqual([1, 7, 1]);
  });
}
