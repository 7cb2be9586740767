// Redis feature store: bucketed hashes for sums and counts, member→last-seen hashes for distinct
// counts, all in one Lua script so an event costs one round trip. Keys are prefixed so several
// engines (live, shadow, tests) share one Redis without seeing each other.
import { Redis } from 'ioredis';
import { unavailable } from '../../core/errors.ts';
import { APPLY_LUA } from './redis-script.ts';
import type { ApplyOptions, FeatureOp, FeatureStore } from './store.ts';

type WithApply = Redis & { qgFeatures(numKeys: number, ...args: (string | number)[]): Promise<string[]> };

export interface RedisFeatureStoreOptions {
  url: string;
  /** Namespace of every key, e.g. "qg:live" or a test's unique name. */
  prefix: string;
  /** How long an event id is remembered for deduplication. */
  dedupTtlMs?: number;
}

export class RedisFeatureStore implements FeatureStore {
  readonly backend = 'redis' as const;
  private readonly redis: WithApply;
  private readonly prefix: string;
  private readonly dedupTtlMs: number;

  constructor(opts: RedisFeatureStoreOptions) {
    if (!/^[A-Za-z0-9:_\-.]{1,64}$/.test(opts.prefix)) throw new Error('rules/features: prefix must be 1-64 chars of letters, digits, ":_-."');
    this.prefix = opts.prefix;
    this.dedupTtlMs = opts.dedupTtlMs ?? 7 * 86_400_000;
    this.redis = new Redis(opts.url, { maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: false }) as WithApply;
    this.redis.defineCommand('qgFeatures', { lua: APPLY_LUA });
  }

  async apply(ops: readonly FeatureOp[], atMs: number, opts: ApplyOptions): Promise<Float64Array> {
    const keys: string[] = new Array(ops.length);
    const args: (string | number)[] = [atMs, opts.record ? '1' : '0', ops.length, opts.dedupId ?? '', this.dedupTtlMs];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      keys[i] = `${this.prefix}:f:${op.ns}:${op.entityTail === undefined ? op.entity : `${op.entity}>${op.entityTail}`}`;
      args.push(op.kind === 'sum' ? 's' : 'd', op.bucketMs, op.buckets, Number.isNaN(op.add) ? 0 : op.add, op.member ?? '');
    }
    keys.push(`${this.prefix}:seen:${opts.dedupId ?? ''}`);
    let raw: string[];
    try {
      raw = await this.redis.qgFeatures(keys.length, ...keys, ...args);
    } catch (err) {
      throw unavailable('redis feature store', err);
    }
    const out = new Float64Array(ops.length);
    for (let i = 0; i < ops.length; i++) out[i] = Number(raw[i]);
    return out;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
