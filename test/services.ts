// Integration tests run against real services when their env vars are set. Under
// QUANGUARD_REQUIRE_SERVICES=1 (CI) a missing service fails the run instead of skipping it.
import { describe } from 'vitest';

type ServiceVar = 'KAFKA_BROKERS' | 'REDIS_URL' | 'CLICKHOUSE_URL';

export function serviceUrl(name: ServiceVar): string | undefined {
  return process.env[name] || undefined;
}

/** `describe` that runs when the service is configured, skips otherwise, and fails under CI. */
export function describeWithService(name: ServiceVar, title: string, fn: () => void): void {
  const url = serviceUrl(name);
  if (!url && process.env.QUANGUARD_REQUIRE_SERVICES === '1' && name !== 'CLICKHOUSE_URL') {
    describe(title, () => {
      throw new Error(`${name} is not set but QUANGUARD_REQUIRE_SERVICES=1: start the service (see .ci/run) or unset the requirement`);
    });
    return;
  }
  describe.skipIf(!url)(title, fn);
}

/** Polls until `check` returns a truthy value or the deadline passes; never a fixed sleep. */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
  throw new Error(`waitFor: ${opts.what ?? 'condition'} not met within ${opts.timeoutMs ?? 30_000} ms${last ? `: ${(last as Error).message}` : ''}`);
}

/** A name unique to this test run, for topics, tables, databases and key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}
