// Loads the Lua scripts once per client. ioredis sends EVALSHA and falls back to EVAL (loading the
// script) when the server does not know it yet, e.g. after a restart.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

// Key counts; `hold` takes a variable number of keys, so its callers pass the count first (null).
const SCRIPTS = { claim: 3, publish: 2, grant: 3, block: 2, redeem: 6, refund: 5, hold: null } as const;
export type ScriptName = keyof typeof SCRIPTS;

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;
export type Scripts = Record<ScriptName, ScriptFn>;

const sources = new Map<ScriptName, string>();
export function scriptSource(name: ScriptName): string {
  let s = sources.get(name);
  if (s === undefined) sources.set(name, (s = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')));
  return s;
}

export function loadScripts(redis: Redis): Scripts {
  const out = {} as Scripts;
  for (const [name, numberOfKeys] of Object.entries(SCRIPTS) as [ScriptName, number | null][]) {
    const command = `quanguard_${name}`;
    if (!(command in redis)) redis.defineCommand(command, numberOfKeys === null ? { lua: scriptSource(name) } : { numberOfKeys, lua: scriptSource(name) });
    const fn = (redis as unknown as Record<string, ScriptFn>)[command]!;
    out[name] = (...args) => fn.apply(redis, args);
  }
  return out;
}
