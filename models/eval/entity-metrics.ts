// Entity-level precision and recall of flags against labels.json, per fraud type: a ring flag
// counts for each of its members, a user/merchant flag for its entity. Used by `quanguard train`
// to report the held-out seed and by the models' scenario test; `quanguard eval` is the
// project-wide judge of rules and models together.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Flag } from '../../core/decision.ts';
import { FRAUD_TYPES, parseEventLine, type FraudType, type QuanguardEvent } from '../../core/events.ts';

export interface LabelFile {
  users: Record<string, FraudType>;
  merchants: Record<string, FraudType>;
  variants?: { users: Record<string, string>; merchants: Record<string, string> };
}

export interface TypeMetrics {
  fraudType: FraudType;
  labelled: number;
  flagged: number;
  truePositives: number;
  precision: number;
  recall: number;
}

/** Entity id → every fraud type it was flagged with (a ring counts for each member). */
export function flaggedEntities(flags: readonly Flag[]): Map<string, Set<FraudType>> {
  const out = new Map<string, Set<FraudType>>();
  for (const f of flags) {
    const ids = f.entityType === 'ring' ? f.members ?? [] : f.entityType === 'device' ? [] : [f.entityId];
    for (const id of ids) (out.get(id) ?? out.set(id, new Set()).get(id)!).add(f.fraudType);
  }
  return out;
}

/** As simulator/evaluate.ts counts: flagged with a wrong type is a false positive for that type. */
export function entityMetrics(flags: readonly Flag[], labels: LabelFile): { perType: TypeMetrics[]; legitimateFlagged: number } {
  const truth = new Map<string, FraudType>([...Object.entries(labels.users), ...Object.entries(labels.merchants)]);
  const flagged = flaggedEntities(flags);
  let legit = 0;
  for (const id of flagged.keys()) if (!truth.has(id)) legit++;
  const perType = FRAUD_TYPES.map((t) => {
    let labelled = 0, hits = 0, nFlagged = 0;
    for (const [, ft] of truth) if (ft === t) labelled++;
    for (const [id, types] of flagged) {
      if (!types.has(t)) continue;
      nFlagged++;
      if (truth.get(id) === t) hits++;
    }
    return { fraudType: t, labelled, flagged: nFlagged, truePositives: hits, precision: nFlagged ? hits / nFlagged : 1, recall: labelled ? hits / labelled : 1 };
  });
  return { perType, legitimateFlagged: legit };
}

/** Reads a contract NDJSON file, skipping lines that do not parse (they would be dead letters). */
export async function* readEvents(path: string): AsyncGenerator<QuanguardEvent> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const r = parseEventLine(line);
    if (r.ok) yield r.event;
  }
}
