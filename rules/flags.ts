// Entity flags from rule hits: every hit credits its rule's subject (the user, the merchant, and
// for bot claiming the device too) under the rule's fraud type; an entity is flagged when its hits
// reach the rule set's minimums. Output matches flags.json in the event contract.
import type { Flag } from '../core/decision.ts';
import type { FraudType, QuanguardEvent } from '../core/events.ts';
import type { CompiledRuleset } from './engine/compile.ts';
import type { RuleRun } from './engine/evaluate.ts';

interface Tally {
  entityType: Flag['entityType'];
  entityId: string;
  fraudType: FraudType;
  weight: number;
  hits: number;
  evaluated: number;
  reasons: Map<string, number>;
}

export class FlagAggregator {
  private readonly tallies = new Map<string, Tally>();

  constructor(private readonly rs: CompiledRuleset) {}

  add(e: QuanguardEvent, runs: readonly RuleRun[]): void {
    // One event counts once per (entity, fraud type), however many of its rules ran.
    const seen = new Set<string>();
    for (const run of runs) {
      if (run.outcome !== 'hit' && run.outcome !== 'no_hit') continue;
      const def = run.rule.def;
      const subjects: [Flag['entityType'], string | undefined][] = [[def.subject, subjectId(e, def.subject)]];
      if (def.fraudType === 'bot_claiming' && def.subject === 'user') subjects.push(['device', subjectId(e, 'device')]);
      for (const [type, id] of subjects) {
        if (id === undefined) continue;
        const key = `${type}|${id}|${def.fraudType}`;
        let t = this.tallies.get(key);
        if (!t) this.tallies.set(key, (t = { entityType: type, entityId: id, fraudType: def.fraudType, weight: 0, hits: 0, evaluated: 0, reasons: new Map() }));
        if (!seen.has(key)) {
          seen.add(key);
          t.evaluated++;
        }
        if (run.outcome === 'hit') {
          t.hits++;
          t.weight += run.rule.weight;
          const r = run.reason ?? def.reason;
          t.reasons.set(r, (t.reasons.get(r) ?? 0) + 1);
        }
      }
    }
  }

  flags(): Flag[] {
    const out: Flag[] = [];
    for (const t of this.tallies.values()) {
      const policy = this.rs.flags[t.fraudType];
      if (!policy || t.hits < policy.minHits || t.weight < policy.minScore) continue;
      const rate = t.evaluated ? t.hits / t.evaluated : 0;
      if (rate < policy.minHitRate) continue;
      const strength = Math.min(1, t.weight / (2 * Math.max(1, policy.minScore)));
      out.push({
        entityType: t.entityType,
        entityId: t.entityId,
        fraudType: t.fraudType,
        score: Math.round((0.5 * strength + 0.5 * Math.min(1, rate)) * 1000) / 1000,
        reasons: [...t.reasons.entries()].sort((a, b) => b[1] - a[1]).map(([r]) => r),
      });
    }
    // One flag per entity: the fraud type with the strongest evidence wins.
    const best = new Map<string, Flag>();
    for (const f of out) {
      const k = `${f.entityType}|${f.entityId}`;
      const cur = best.get(k);
      if (!cur || f.score > cur.score) best.set(k, f);
    }
    return [...best.values()].sort((a, b) => (a.entityType + a.entityId).localeCompare(b.entityType + b.entityId));
  }
}

function subjectId(e: QuanguardEvent, subject: 'user' | 'merchant' | 'device'): string | undefined {
  const x = e as { userId?: string; merchantId?: string; deviceId?: string };
  return subject === 'user' ? x.userId : subject === 'merchant' ? x.merchantId : x.deviceId;
}
