// Block, allow and snooze lists per entity, each entry with an expiry, who put it there and why.
// A snooze silences one rule (or every rule) for an entity: its hits are recorded as `snoozed`
// and add nothing, as marble does.
import { z } from 'zod';

export const LIST_ENTITY_TYPES = ['user', 'idHash', 'device', 'ip24', 'phone', 'card', 'merchant'] as const;
export type ListEntityType = (typeof LIST_ENTITY_TYPES)[number];

export const listEntrySchema = z.object({
  kind: z.enum(['block', 'allow', 'snooze']),
  entityType: z.enum(LIST_ENTITY_TYPES),
  entityId: z.string().min(1).max(200),
  /** Snooze only: the rule id silenced; absent silences every rule. */
  ruleId: z.string().min(1).optional(),
  /** Epoch ms after which the entry no longer applies (compared with the event's time); null: never. */
  expiresAt: z.number().int().nullable(),
  by: z.string().min(1, { error: 'must say who added the entry' }).max(200),
  reason: z.string().min(1, { error: 'must say why' }).max(500),
  createdAt: z.number().int(),
});
export type ListEntry = z.infer<typeof listEntrySchema>;

export interface EntityRef {
  entityType: ListEntityType;
  entityId: string;
}

export interface ListStore {
  readonly backend: 'memory' | 'redis';
  add(entry: ListEntry): Promise<void>;
  remove(kind: ListEntry['kind'], entityType: ListEntityType, entityId: string, ruleId?: string): Promise<boolean>;
  /** Entries on any of the entities that are in force at `atMs`. */
  match(entities: readonly EntityRef[], atMs: number): Promise<ListEntry[]>;
  /** False when the store is known to hold nothing (lets the hot path skip the lookup). */
  mayHaveEntries(): boolean;
  close(): Promise<void>;
}

export function entryField(kind: ListEntry['kind'], ruleId?: string): string {
  return kind === 'snooze' ? `snooze:${ruleId ?? '*'}` : kind;
}

export function inForce(e: ListEntry, atMs: number): boolean {
  return e.expiresAt === null || atMs < e.expiresAt;
}
