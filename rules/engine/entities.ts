// The entities of an event, for features and lists. A claim without ID or phone hashes borrows
// them from the eligibility import (one natural person = one ID hash).
import type { QuanguardEvent } from '../../core/events.ts';
import { entityOf, type EntityKind, type MemberField } from '../features/spec.ts';
import type { EntityRef } from '../lists/types.ts';
import type { Reference } from '../reference/state.ts';

export function entityFor(e: QuanguardEvent, kind: EntityKind | MemberField, ref: Reference): string | undefined {
  const v = entityOf(e as never, kind);
  if (v !== undefined || e.type !== 'claim' || (kind !== 'idHash' && kind !== 'phone')) return v;
  const id = ref.identityOf(e.userId);
  return kind === 'idHash' ? id?.idHash : id?.phoneHash;
}

const LIST_KINDS = ['user', 'idHash', 'device', 'ip24', 'phone', 'card', 'merchant'] as const;

export function listEntities(e: QuanguardEvent, ref: Reference): EntityRef[] {
  const out: EntityRef[] = [];
  for (const k of LIST_KINDS) {
    const id = entityFor(e, k, ref);
    if (id !== undefined) out.push({ entityType: k, entityId: id });
  }
  return out;
}
