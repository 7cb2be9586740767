import { entryField, inForce, type EntityRef, type ListEntityType, type ListEntry, type ListStore } from './types.ts';

export class MemoryListStore implements ListStore {
  readonly backend = 'memory' as const;
  private readonly byEntity = new Map<string, Map<string, ListEntry>>();

  async add(entry: ListEntry): Promise<void> {
    const k = `${entry.entityType}:${entry.entityId}`;
    let m = this.byEntity.get(k);
    if (!m) this.byEntity.set(k, (m = new Map()));
    m.set(entryField(entry.kind, entry.ruleId), entry);
  }

  async remove(kind: ListEntry['kind'], entityType: ListEntityType, entityId: string, ruleId?: string): Promise<boolean> {
    const k = `${entityType}:${entityId}`;
    const m = this.byEntity.get(k);
    const removed = m?.delete(entryField(kind, ruleId)) ?? false;
    if (m && m.size === 0) this.byEntity.delete(k);
    return removed;
  }

  async match(entities: readonly EntityRef[], atMs: number): Promise<ListEntry[]> {
    return this.matchSync(entities, atMs);
  }

  matchSync(entities: readonly EntityRef[], atMs: number): ListEntry[] {
    const out: ListEntry[] = [];
    if (this.byEntity.size === 0) return out;
    for (const e of entities) {
      const m = this.byEntity.get(`${e.entityType}:${e.entityId}`);
      if (m) for (const entry of m.values()) if (inForce(entry, atMs)) out.push(entry);
    }
    return out;
  }

  mayHaveEntries(): boolean {
    return this.byEntity.size > 0;
  }

  async close(): Promise<void> {}
}
