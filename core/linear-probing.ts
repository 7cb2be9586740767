// Deleting from an open-addressing table with linear probing, without tombstones: after the hole
// at p, each later entry of the run moves back into the hole unless that would put it before its
// home slot. IdRing (rules/reference/id-ring.ts) and the feature store's LastSeen
// (rules/features/memory.ts) lay their slots out differently and share this test.

/**
 * Whether the entry at slot q, whose home slot is `home`, may move back into the hole at slot p:
 * not when its home lies cyclically in (p, q], where a probe from home would no longer reach it.
 */
export function mayFillHole(p: number, q: number, home: number): boolean {
  return p <= q ? home <= p || home > q : home <= p && home > q;
}
