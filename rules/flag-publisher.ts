// The rules' entity flags in a running engine (`npm start`): the aggregator sees every live
// evaluation, and this publisher writes to flags_v1 (source 'rules') the flags that are new or
// changed since its last run, so the triage queue and dashboards show rule flags beside the models'.
// flags_v1 is a ReplacingMergeTree on (fraudType, entityType, entityId, source): a changed flag
// replaces its row. A flag stays once raised (the triage queue closes it), as in a replay.
import type { Clock } from '../core/clock.ts';
import type { Flag } from '../core/decision.ts';
import type { Logger } from '../core/logger.ts';
import type { FlagAggregator } from './flags.ts';

/** flags_v1.source of the rules' flags (the models write 'models'). */
export const RULES_FLAG_SOURCE = 'rules';

export class RulesFlagPublisher {
  private readonly last = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly aggregator: Pick<FlagAggregator, 'flags'>,
    private readonly write: (flags: readonly Flag[], atMs: number) => Promise<void>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Writes the new and changed flags; resolves with how many. Runs never overlap. */
  publish(): Promise<number> {
    this.running = this.running.catch(() => 0).then(async () => {
      const changed: { flag: Flag; key: string; sig: string }[] = [];
      for (const flag of this.aggregator.flags()) {
        const key = `${flag.fraudType}|${flag.entityType}|${flag.entityId}`;
        const sig = `${flag.score}|${flag.reasons.join(',')}|${(flag.members ?? []).join(',')}`;
        if (this.last.get(key) !== sig) changed.push({ flag, key, sig });
      }
      if (changed.length === 0) return 0;
      await this.write(changed.map((c) => c.flag), this.clock.now());
      for (const c of changed) this.last.set(c.key, c.sig);
      return changed.length;
    });
    return this.running;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.publish().catch((err: unknown) => this.logger.error('rules flags: writing flags_v1 failed (tried again next time)', { err: err as Error }));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule and writes what changed since the last run. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.publish();
  }
}
