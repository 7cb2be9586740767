// What a scheduled model run hands to the rules engine in `npm start`: its scores, as features a
// rule may read (rules/reference/model-scores.ts), and its strongest flags, as block-list entries
// with an expiry, so the next claim or redemption of a flagged account or shop is stopped at the
// door (lists beat rules by priority). Which flags block, and for how long, is versioned data.
import { z } from 'zod';
import type { Flag } from '../core/decision.ts';
import { ID_PREFIXES } from '../core/ids.ts';
import type { ModelScoreSnapshot, RingModelScore } from '../rules/reference/model-scores.ts';
import type { ListEntry } from '../rules/lists/types.ts';
import type { ModelRun } from './run.ts';

export const publishPolicySchema = z.object({
  version: z.string(),
  /** A ring flag at or above this score blocks its members; a merchant flag its shop. */
  blockMinScore: z.object({ ring: z.number().min(0).max(1), merchant: z.number().min(0).max(1) }),
  /** How long a model block lasts; the next runs renew it while the flag stands. */
  blockDays: z.number().positive(),
});
export type PublishPolicy = z.infer<typeof publishPolicySchema>;

export const PUBLISH_POLICY: PublishPolicy = publishPolicySchema.parse({
  version: 'publish@1',
  blockMinScore: { ring: 0.7, merchant: 0.8 },
  blockDays: 7,
});

const DAY = 86_400_000;

/** The run's scores as the rules read them. */
export function scoreSnapshot(run: ModelRun, atMs: number, modelVersion: string): ModelScoreSnapshot {
  const merchants = new Map(run.merchantScores.map((s) => [s.merchantId, { risk: s.risk, shares: { bot_claiming: s.shares.bot_claiming, cash_out: s.shares.cash_out, hoarding: s.shares.hoarding, subsidy_fraud: s.shares.subsidy_fraud, price_gouging: s.shares.price_gouging } }]));
  const rings = new Map<string, RingModelScore[]>();
  for (const r of run.rings)
    for (const m of r.members) {
      const list = rings.get(m) ?? rings.set(m, []).get(m)!;
      const same = list.findIndex((x) => x.fraudType === r.fraudType);
      if (same < 0) list.push({ ringId: r.entityId, fraudType: r.fraudType, score: r.score });
      else if (list[same]!.score < r.score) list[same] = { ringId: r.entityId, fraudType: r.fraudType, score: r.score };
    }
  return { atMs, modelVersion, merchants, rings };
}

/** Block entries for the flags that reach the policy's scores; one per entity, strongest flag first. */
export function blockEntries(flags: readonly Flag[], atMs: number, by: string, policy: PublishPolicy = PUBLISH_POLICY): ListEntry[] {
  const out = new Map<string, ListEntry>();
  const sorted = [...flags].sort((a, b) => b.score - a.score || (a.entityId < b.entityId ? -1 : 1));
  for (const f of sorted) {
    const ids = f.entityType === 'ring' ? f.score >= policy.blockMinScore.ring ? f.members ?? [] : [] : f.entityType === 'merchant' && f.score >= policy.blockMinScore.merchant ? [f.entityId] : [];
    for (const id of ids) {
      const entityType = id.startsWith(`${ID_PREFIXES.merchant}_`) ? 'merchant' : id.startsWith(`${ID_PREFIXES.user}_`) ? 'user' : undefined;
      if (!entityType || out.has(`${entityType}:${id}`)) continue;
      out.set(`${entityType}:${id}`, {
        kind: 'block', entityType, entityId: id, expiresAt: atMs + policy.blockDays * DAY, createdAt: atMs, by,
        reason: `${f.fraudType} ${f.entityType === 'ring' ? `ring ${f.entityId}` : 'merchant risk'} score ${f.score}: ${f.reasons.slice(0, 4).join(', ')}`.slice(0, 500),
      });
    }
  }
  return [...out.values()];
}

/** Where a run is published in `npm start`: the rules engine's reference state and its list store. */
export interface PublishTarget {
  reference: { modelScores: { publish(s: ModelScoreSnapshot): void } };
  lists: { add(entry: ListEntry): Promise<void> };
}

/** The scheduler's `publish` hook: scores become rule features, strong flags block-list entries. */
export function publishToRules(target: PublishTarget, policy: PublishPolicy = PUBLISH_POLICY) {
  return async (scores: ModelScoreSnapshot, flags: readonly Flag[]): Promise<void> => {
    target.reference.modelScores.publish(scores);
    for (const entry of blockEntries(flags, scores.atMs, `model:${scores.modelVersion} ${policy.version}`, policy)) await target.lists.add(entry);
  };
}
