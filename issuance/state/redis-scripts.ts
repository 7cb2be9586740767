// Runs the Lua scripts by EVALSHA. A server that does not know a script (a restart, SCRIPT FLUSH)
// answers NOSCRIPT without running anything, so the script is loaded and the call sent again.
// This replaces ioredis' defineCommand, whose Script wrapper copies the argument array and adds a
// promise and a closure per call; the claim path hands its own array straight to EVALSHA.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

// Key counts; `hold` takes a variable number of keys, so its callers pass the count first (null).
const SCRIPTS = { claim: 3, publish: 2, grant: 3, block: 2, redeem: 6, refund: 5, hold: null } as const;
export type ScriptName = keyof typeof SCRIPTS;

export type Scripts = Record<ScriptName, LoadedScript>;

const sources = new Map<ScriptName, string>();
export function scriptSource(name: ScriptName): string {
  let s = sources.get(name);
  if (s === undefined) sources.set(name, (s = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')));
  return s;
}

export function scriptSha(name: ScriptName): string {
  return createHash('sha1').update(scriptSource(name)).digest('hex');
}

// ioredis flattens an array argument into the command, so the key count, keys and arguments go in
// as the one array the caller built (spreading it would copy it once more per call).
type EvalSha = (sha: string, keyCountKeysAndArgs: readonly (string | number)[]) => Promise<unknown>;

/**
 * One script on one client. `run` takes the key count, then the keys, then the arguments, in one
 * array; `send` takes the keys and arguments and puts the script's key count in front (a script
 * with a variable number of keys takes its count first, as with `run`).
 */
export class LoadedScript {
  readonly sha: string;
  private readonly evalsha: EvalSha;
  private loading: Promise<unknown> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly name: ScriptName,
  ) {
    this.sha = scriptSha(name);
    this.evalsha = redis.evalsha.bind(redis) as unknown as EvalSha;
  }

  send(...keysAndArgs: (string | number)[]): Promise<unknown> {
    const n = SCRIPTS[this.name];
    return this.run(n === null ? keysAndArgs : [n, ...keysAndArgs]);
  }

  run(keyCountKeysAndArgs: readonly (string | number)[]): Promise<unknown> {
    corkUntilNextTick(this.redis);
    return this.evalsha(this.sha, keyCountKeysAndArgs).catch((err: Error) => this.retry(err, keyCountKeysAndArgs));
  }

  /** A NOSCRIPT answer means the script did not run: load it (once for all the calls that saw it) and send the call again. */
  private retry(err: Error, keyCountKeysAndArgs: readonly (string | number)[]): Promise<unknown> {
    if (!err.message.includes('NOSCRIPT')) throw err;
    this.loading ??= this.redis.script('LOAD', scriptSource(this.name)).finally(() => (this.loading = null));
    return this.loading.then(() => this.evalsha(this.sha, keyCountKeysAndArgs));
  }
}

// Without auto-pipelining (see ISSUANCE_REDIS_OPTIONS) ioredis writes every command to the socket
// at once: one write system call per claim (writeUtf8String, a large part of the Node side in a CPU
// profile of bench/claim.ts at 1,000 concurrent claimers). Corking the socket until the next tick
// lets every script call made in the same run of callbacks leave in one writev, while each reply
// still settles its own call as it arrives (auto-pipelining batches too, but holds the next batch
// until the whole previous one has answered).
const corked = new WeakSet<object>();
function corkUntilNextTick(redis: Redis): void {
  const stream = redis.stream;
  if (!stream || corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  process.nextTick(() => {
    corked.delete(stream);
    stream.uncork();
  });
}

export function loadScripts(redis: Redis): Scripts {
  const out = {} as Scripts;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) out[name] = new LoadedScript(redis, name);
  return out;
}
