// Writes model flags to flags_v1. The table is a ReplacingMergeTree on (fraudType, entityType,
// entityId, source) keeping the latest createdAt, so a scheduled run that re-flags a ring or a
// merchant replaces its earlier row instead of piling up duplicates.
import type { Flag } from '../../core/decision.ts';
import type { AnalyticsStore } from '../../ingest/store/analytics-store.ts';
import { chTime } from '../../ingest/store/time.ts';

export const MODEL_FLAG_SOURCE = 'models';

export async function writeFlags(store: Pick<AnalyticsStore, 'insert'>, flags: readonly Flag[], createdAtMs: number, source = MODEL_FLAG_SOURCE): Promise<void> {
  if (flags.length === 0) return;
  await store.insert(
    'flags_v1',
    flags.map((f) => ({
      entityType: f.entityType,
      entityId: f.entityId,
      fraudType: f.fraudType,
      score: f.score,
      reasons: f.reasons,
      members: f.members ?? [],
      source,
      createdAt: chTime(createdAtMs),
    })),
  );
}
