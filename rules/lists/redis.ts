// Lists in Redis: one hash per entity (field = kind or snooze:rule), read for all of an event's
// entities in one pipelined round trip. Expiry is checked against the event's time, so a replay
// of old events sees the lists as they stood; Redis TTLs only clean up long-expired entries.
import { Redis } from 'ioredis';
import { unavailable } from '../../core/errors.ts';
import { entryField, inForce, listEntrySchema, type EntityRef, type ListEntityType, type ListEntry, type ListStore } from './types.ts';

export class RedisListStore implements ListStore {
  readonly backend = 'redis' as const;
  private readonly redis: Redis;

  constructor(private readonly opts: { url: string; prefix: string }) {
    this.redis = new Redis(opts.url, { maxRetriesPerRequest: 2 });
  }

  private key(entityType: string, entityId: string): string {
    return `${this.opts.prefix}:list:${entityType}:${entityId}`;
  }

  async add(entry: ListEntry): Promise<void> {
    const e = listEntrySchema.parse(entry);
    await this.redis.hset(this.key(e.entityType, e.entityId), entryField(e.kind, e.ruleId), JSON.stringify(e));
  }

  async remove(kind: ListEntry['kind'], entityType: ListEntityType, entityId: string, ruleId?: string): Promise<boolean> {
    return (await this.redis.hdel(this.key(entityType, entityId), entryField(kind, ruleId))) > 0;
  }

  async match(entities: readonly EntityRef[], atMs: number): Promise<ListEntry[]> {
    if (entities.length === 0) return [];
    const p = this.redis.pipeline();
    for (const e of entities) p.hvals(this.key(e.entityType, e.entityId));
    let res: [Error | null, unknown][] | null;
    try {
      res = await p.exec();
    } catch (err) {
      throw unavailable('redis list store', err);
    }
    const out: ListEntry[] = [];
    for (const [err, vals] of res ?? []) {
      if (err) throw unavailable('redis list store', err);
      for (const v of vals as string[]) {
        const parsed = listEntrySchema.safeParse(JSON.parse(v));
        if (parsed.success && inForce(parsed.data, atMs)) out.push(parsed.data);
      }
    }
    return out;
  }

  mayHaveEntries(): boolean {
    return true;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
