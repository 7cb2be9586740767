// The models inside `quanguard replay`: collect the window while events stream through the
// ingester, run the models once at the end, and add their flags to DIR/flags.json (next to the
// rules' flags, which rules/ writes first) plus DIR/model-flags.json with the full evidence.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Flag } from '../core/decision.ts';
import type { QuanguardEvent } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { EventProcessor } from '../ingest/pipeline.ts';
import type { MerchantForest } from './merchant/forest.ts';
import { runModels, type ModelRun } from './run.ts';
import { WindowBuilder } from './window-builder.ts';

export interface ModelProcessorDeps {
  forest: MerchantForest | null;
  logger: Logger;
  seed?: number;
  /** Called with the run's flags (e.g. to write them to flags_v1). */
  onFlags?(flags: readonly Flag[], atMs: number): Promise<void>;
}

export interface ModelProcessor extends EventProcessor {
  lastRun(): ModelRun | undefined;
}

export function createModelProcessor(deps: ModelProcessorDeps): ModelProcessor {
  const builder = new WindowBuilder();
  let last: ModelRun | undefined;
  return {
    name: 'models',
    async process(events: readonly QuanguardEvent[]) {
      for (const e of events) builder.add(e);
    },
    async finish(outDir?: string) {
      const window = builder.build();
      if (!deps.forest) deps.logger.warn('no merchant-risk model file: only the ring models run (train one with `quanguard train`)');
      last = runModels(window, { seed: deps.seed ?? 1, forest: deps.forest ?? undefined });
      deps.logger.info('models finished', { flags: last.flags.length, ...last.stats, timingsMs: last.timingsMs });
      await deps.onFlags?.(last.flags, window.endMs);
      if (outDir) await mergeIntoFlagsFile(outDir, last.flags);
    },
    lastRun: () => last,
  };
}

/** Strips evidence for flags.json (the contract's shape) and keeps it in model-flags.json. */
export async function mergeIntoFlagsFile(outDir: string, flags: readonly Flag[]): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, 'flags.json');
  let existing: Flag[] = [];
  if (existsSync(path)) {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { flags?: Flag[] };
    existing = Array.isArray(parsed.flags) ? parsed.flags : [];
  }
  const key = (f: Flag) => `${f.entityType}|${f.entityId}|${f.fraudType}`;
  const have = new Set(existing.map(key));
  const merged = [...existing];
  for (const f of flags) {
    if (have.has(key(f))) continue;
    have.add(key(f));
    const plain: Flag = { entityType: f.entityType, entityId: f.entityId, fraudType: f.fraudType, score: f.score, reasons: f.reasons };
    if (f.members) plain.members = f.members;
    merged.push(plain);
  }
  await writeFile(path, JSON.stringify({ flags: merged }, null, 1) + '\n');
  await writeFile(join(outDir, 'model-flags.json'), JSON.stringify({ flags }, null, 1) + '\n');
}
