// Lists in process memory; `MemoryListStore.open(dir)` keeps them across restarts (a journal of
// adds and removes, core/journal.ts), as Redis keeps its own.
import { Journal, type JournalOptions } from '../../core/journal.ts';
import { entryField, inForce, type EntityRef, type ListEntityType, type ListEntry, type ListStore } from './types.ts';

export class MemoryListStore implements ListStore {
  readonly backend = 'memory' as const;
  private byEntity = new Map<string, Map<string, ListEntry>>();
  private journal: Journal | null = null;

  static open(dir: string, opts: JournalOptions = {}): MemoryListStore {
    const store = new MemoryListStore();
    store.journal = Journal.open(
      dir,
      'lists',
      {
        apply: (op, args) => {
          if (op === 'add') void store.add(args[0] as ListEntry);
          else if (op === 'remove') void store.remove(args[0] as ListEntry['kind'], args[1] as ListEntityType, args[2] as string, (args[3] as string | null) ?? undefined);
          else throw new Error(`memory lists: the journal holds an unknown call ${op}`);
        },
        snapshot: () => store.byEntity,
        restore: (state) => {
          store.byEntity = state as Map<string, Map<string, ListEntry>>;
        },
      },
      opts,
    );
    return store;
  }

  async add(entry: ListEntry): Promise<void> {
    this.journal?.record('add', [entry], entry.createdAt);
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
    if (removed) this.journal?.record('remove', [kind, entityType, entityId, ruleId ?? null], 0);
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

  async close(): Promise<void> {
    this.journal?.close();
    this.journal = null;
  }
}
