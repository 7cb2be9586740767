// Runs the models over the recent window on an interval in `npm start`. Runs never overlap (the
// next one is scheduled when the last finishes); the window ends at the injected clock's now; a
// failed run is logged and the next one still happens. Each run's scores and flags go to `publish`
// (in `npm start`: the rules engine's model-score table and its block lists, models/publish.ts).
import type { Clock } from '../core/clock.ts';
import type { Flag } from '../core/decision.ts';
import type { Logger } from '../core/logger.ts';
import type { ModelScoreSnapshot } from '../rules/reference/model-scores.ts';
import type { MerchantForest } from './merchant/forest.ts';
import { RING_CONFIG } from './graph/rings.ts';
import { scoreSnapshot } from './publish.ts';
import { runModelsConcurrent, type ModelRun } from './run.ts';
import type { ModelWindow } from './window.ts';

/** Every 5 minutes over the last 35 days (a campaign and the baseline week before it). */
export const MODEL_SCHEDULE = { intervalMs: 5 * 60_000, windowMs: 35 * 86_400_000 } as const;

export interface SchedulerDeps {
  clock: Clock;
  intervalMs: number;
  windowMs: number;
  loadWindow(fromMs: number, toMs: number): Promise<ModelWindow>;
  writeFlags(flags: readonly Flag[], createdAtMs: number): Promise<void>;
  /** Hands the run's scores and flags on (rule features, block lists); a failure fails the run, logged. */
  publish?(scores: ModelScoreSnapshot, flags: readonly Flag[]): Promise<void>;
  forest: MerchantForest | null;
  logger: Logger;
  seed?: number;
  /** Timer hooks, replaceable in tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface ModelScheduler {
  start(): void;
  stop(): Promise<void>;
  runOnce(): Promise<ModelRun>;
  latest(): ModelScoreSnapshot | undefined;
  readonly runs: number;
}

export function createModelScheduler(deps: SchedulerDeps): ModelScheduler {
  if (!(deps.intervalMs > 0) || !(deps.windowMs > 0)) throw new Error(`models/scheduler: intervalMs and windowMs must be positive, got ${deps.intervalMs} and ${deps.windowMs}`);
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
  const clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  const log = deps.logger.child({ component: 'models' });
  let scores: ModelScoreSnapshot | undefined;
  let handle: unknown;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let runs = 0;

  const runOnce = async (): Promise<ModelRun> => {
    const toMs = deps.clock.now();
    const window = await deps.loadWindow(toMs - deps.windowMs, toMs);
    const run = await runModelsConcurrent(window, { seed: deps.seed ?? 1, forest: deps.forest ?? undefined });
    await deps.writeFlags(run.flags, toMs);
    scores = scoreSnapshot(run, toMs, `${deps.forest?.file.version ?? 'no-forest'} ${RING_CONFIG.version}`);
    await deps.publish?.(scores, run.flags);
    runs++;
    log.info('model run', { flags: run.flags.length, rings: run.rings.length, ...run.stats, timingsMs: run.timingsMs });
    return run;
  };

  const tick = () => {
    running = runOnce()
      .catch((err: unknown) => log.error('model run failed; the next run is still scheduled', { err: err as Error }))
      .finally(() => {
        running = undefined;
        if (!stopped) handle = setTimer(tick, deps.intervalMs);
      });
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      handle = setTimer(tick, 0);
    },
    async stop() {
      stopped = true;
      if (handle !== undefined) clearTimer(handle);
      await running;
    },
    runOnce,
    latest: () => scores,
    get runs() {
      return runs;
    },
  };
}
