// Opens the issuance hot state for a one-shot command: Redis, or the embedded journal under
// $QUANGUARD_DATA_DIR/hot. A running engine holds that journal; the command then says so and what
// to do instead, rather than write beside it.
import { systemClock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { JournalLockedError } from '../core/journal.ts';
import { hotStateDir, openIssuanceStore } from '../issuance/open-store.ts';
import type { IssuanceStore } from '../issuance/state/store.ts';

export function openHotState(config: Pick<Config, 'redis' | 'dataDir'>, keyPrefix: string | undefined, command: string, instead: string): IssuanceStore | null {
  try {
    return openIssuanceStore(config, systemClock, keyPrefix);
  } catch (err) {
    if (!(err instanceof JournalLockedError)) throw err;
    process.stderr.write(`${command}: the embedded hot state in ${hotStateDir(config)} is held by process ${err.pid} (a running engine): stop it first${instead}\n`);
    return null;
  }
}
