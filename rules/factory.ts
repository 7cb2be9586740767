// Builds the rules engine from config: Redis feature and list stores when REDIS_URL is set
// (shared by every replica), memory otherwise; the live rule set from ruleset/data, an optional
// candidate in shadow. The start log should print `describe()` so nobody mistakes the backends.
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { RulesEngine, type RulesEngineDeps } from './engine/engine.ts';
import { MemoryFeatureStore } from './features/memory.ts';
import { RedisFeatureStore } from './features/redis.ts';
import type { FeatureStore } from './features/store.ts';
import { MemoryListStore } from './lists/memory.ts';
import { RedisListStore } from './lists/redis.ts';
import { LIVE_RULESET, loadRuleset } from './ruleset/load.ts';
import type { DecisionSink } from './sink/types.ts';
import type { ListStore } from './lists/types.ts';
import type { CompiledRuleset } from './engine/compile.ts';

export interface RulesEngineSetup {
  engine: RulesEngine;
  /** The engine's block/allow/snooze lists (the models' scheduler adds its blocks here). */
  lists: ListStore;
  /** The live rule set, then the shadow one if any (a warm start fills the windows of both). */
  rulesets: CompiledRuleset[];
  describe(): Record<string, string>;
}

export function createRulesEngine(
  config: Config,
  opts: {
    logger: Logger;
    sink?: DecisionSink;
    live?: string;
    shadow?: string;
    prefix?: string;
    onEvaluation?: RulesEngineDeps['onEvaluation'];
    /** Without Redis: keep the lists in this directory across restarts (else they live and die with the process). */
    listsDir?: string;
  },
): RulesEngineSetup {
  const live = loadRuleset(opts.live ?? LIVE_RULESET);
  const shadow = opts.shadow ? loadRuleset(opts.shadow) : undefined;
  const prefix = opts.prefix ?? 'qg';
  const features = (version: string): FeatureStore =>
    config.redis ? new RedisFeatureStore({ url: config.redis.url, prefix: `${prefix}:${version}` }) : new MemoryFeatureStore();
  const lists: ListStore = config.redis
    ? new RedisListStore({ url: config.redis.url, prefix })
    : opts.listsDir
      ? MemoryListStore.open(opts.listsDir)
      : new MemoryListStore();
  const engine = new RulesEngine({
    live: { ruleset: live, features: features(live.version) },
    shadow: shadow ? { ruleset: shadow, features: features(shadow.version) } : undefined,
    lists,
    sink: opts.sink,
    logger: opts.logger,
    onEvaluation: opts.onEvaluation,
  });
  return {
    engine,
    lists,
    rulesets: shadow ? [live, shadow] : [live],
    describe: () => ({ rules: `${live.version}${shadow ? ` (shadow ${shadow.version})` : ''}`, features: config.redis ? 'redis' : 'memory', lists: config.redis ? 'redis' : opts.listsDir ? `memory (journal ${opts.listsDir})` : 'memory' }),
  };
}
