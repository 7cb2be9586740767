// The outbox on Redis Streams: one stream per campaign (so the claim script can XADD in its own
// slot) plus a global one; the relay reads them with a consumer group.
import type { Redis } from 'ioredis';
import type { Outbox, OutboxEntry } from './outbox.ts';
import type { RedisKeys } from './redis-keys.ts';

type StreamEntries = [id: string, fields: string[]][];

export class RedisOutbox implements Outbox {
  private readonly groupsMade = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async streams(): Promise<string[]> {
    const ids = await this.redis.smembers(this.keys.campaigns);
    return [this.keys.globalOutbox, ...ids.map((id) => this.keys.outbox(id))];
  }

  private async ensureGroup(stream: string, group: string): Promise<void> {
    const k = `${stream}\n${group}`;
    if (this.groupsMade.has(k)) return;
    try {
      await this.redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    this.groupsMade.add(k);
  }

  async readNew(stream: string, group: string, consumer: string, count: number): Promise<OutboxEntry[]> {
    await this.ensureGroup(stream, group);
    const res = (await this.redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, '>')) as [string, StreamEntries][] | null;
    return toEntries(stream, res?.[0]?.[1] ?? []);
  }

  async claimStale(stream: string, group: string, consumer: string, minIdleMs: number, count: number): Promise<OutboxEntry[]> {
    await this.ensureGroup(stream, group);
    const res = (await this.redis.xautoclaim(stream, group, consumer, minIdleMs, '0-0', 'COUNT', count)) as [string, StreamEntries, string[]?];
    return toEntries(stream, res[1] ?? []);
  }

  async ack(stream: string, group: string, ids: string[]): Promise<void> {
    if (ids.length) await this.redis.xack(stream, group, ...ids);
  }

  async trim(stream: string, group: string): Promise<number> {
    const groups = ((await this.redis.xinfo('GROUPS', stream).catch(() => [])) as unknown[][]).map(pairs);
    const info = groups.find((g) => g.name === group);
    if (!info || groups.length > 1) return 0;
    const lastDelivered = String(info['last-delivered-id'] ?? '0-0');
    if (lastDelivered === '0-0') return 0;
    // XPENDING summary: [count, smallest id, greatest id, consumers].
    const pending = (await this.redis.xpending(stream, group)) as [number, string | null, string | null, unknown];
    // Entries from the oldest pending one on are kept; without pending entries everything up to
    // and including the last delivered one may go (MINID keeps ids >= the threshold).
    const threshold = pending[1] ?? nextId(lastDelivered);
    return Number(await this.redis.xtrim(stream, 'MINID', threshold));
  }

  async backlog(group: string): Promise<number> {
    let n = 0;
    for (const stream of await this.streams()) {
      const len = await this.redis.xlen(stream);
      if (len === 0) continue;
      const groups = (await this.redis.xinfo('GROUPS', stream)) as unknown[][];
      const info = groups.map(pairs).find((g) => g.name === group);
      n += info ? Number(info.lag ?? 0) + Number(info.pending ?? 0) : len;
    }
    return n;
  }
}

function toEntries(stream: string, raw: StreamEntries): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  // A deleted entry comes back with null fields; there is nothing left to relay.
  for (const [id, fields] of raw) if (fields) out.push({ stream, id, eventJson: fields[1] ?? '' });
  return out;
}

function nextId(id: string): string {
  const [ms = '0', seq = '0'] = id.split('-');
  return `${ms}-${BigInt(seq) + 1n}`;
}

function pairs(flat: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) o[String(flat[i])] = flat[i + 1];
  return o;
}
