// Entity flags from rule hits. Each hit credits its rule's subject (the user or the merchant; for
// bot claiming the device too) under the rule's fraud type. Per event, the weights of one type's
// hits add up to an event score; an entity is flagged when enough of its events are strong, in
// count and in share, so one odd evening never flags an honest shop. For merchant-level types a
// flagged merchant takes along the users whose redemptions there scored high (ring members).
// Output matches flags.json in the event contract; one fraud type per entity, by explicit priority.
import type { Flag } from '../core/decision.ts';
import type { FraudType, QuanguardEvent } from '../core/events.ts';
import type { CompiledRuleset } from './engine/compile.ts';
import type { RuleRun } from './engine/evaluate.ts';

interface Tally {
  entityType: Flag['entityType'];
  entityId: string;
  fraudType: FraudType;
  evaluated: number;
  strong: number;
  /** Events that reached the policy's supportEventScore (strong ones included). */
  supported: number;
  scoreSum: number;
  reasons: Map<string, number> | null;
}

interface EventScore {
  entityType: Flag['entityType'];
  entityId: string;
  fraudType: FraudType;
  score: number;
  reasons: string[];
}

export class FlagAggregator {
  private readonly tallies = new Map<string, Tally>();
  /** merchant|fraudType → user → best event score of the user's redemptions there. */
  private readonly members = new Map<string, Map<string, { score: number; reasons: string[] }>>();

  constructor(private readonly rs: CompiledRuleset) {}

  add(e: QuanguardEvent, runs: readonly RuleRun[]): void {
    const scores = new Map<string, EventScore>();
    for (const run of runs) {
      if (run.outcome !== 'hit' && run.outcome !== 'no_hit') continue;
      const def = run.rule.def;
      const subjects: [Flag['entityType'], string | undefined][] = [[def.subject, subjectId(e, def.subject)]];
      if (def.fraudType === 'bot_claiming' && def.subject === 'user') subjects.push(['device', subjectId(e, 'device')]);
      for (const [type, id] of subjects) {
        if (id === undefined) continue;
        const key = `${type}|${id}|${def.fraudType}`;
        let s = scores.get(key);
        if (!s) scores.set(key, (s = { entityType: type, entityId: id, fraudType: def.fraudType, score: 0, reasons: [] }));
        if (run.outcome === 'hit') {
          s.score += run.rule.weight;
          s.reasons.push(run.reason ?? def.reason);
        }
      }
    }
    for (const [key, s] of scores) {
      const policy = this.rs.flags[s.fraudType];
      if (!policy) continue;
      let t = this.tallies.get(key);
      if (!t) this.tallies.set(key, (t = { entityType: s.entityType, entityId: s.entityId, fraudType: s.fraudType, evaluated: 0, strong: 0, supported: 0, scoreSum: 0, reasons: null }));
      t.evaluated++;
      t.scoreSum += s.score;
      const supported = policy.supportEventScore !== undefined && s.score > 0 && s.score >= policy.supportEventScore;
      if (supported) t.supported++;
      if (s.score >= policy.minEventScore) t.strong++;
      if (s.score >= policy.minEventScore || supported) {
        const reasons = (t.reasons ??= new Map());
        for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
      }
      const userId = (e as { userId?: string }).userId;
      if (s.entityType === 'merchant' && policy.memberMinEventScore !== undefined && userId !== undefined && s.score >= policy.memberMinEventScore) {
        const mk = `${s.entityId}|${s.fraudType}`;
        let m = this.members.get(mk);
        if (!m) this.members.set(mk, (m = new Map()));
        const cur = m.get(userId);
        if (!cur || s.score > cur.score) m.set(userId, { score: s.score, reasons: s.reasons });
      }
    }
  }

  flags(): Flag[] {
    const candidates: Flag[] = [];
    for (const t of this.tallies.values()) {
      const policy = this.rs.flags[t.fraudType]!;
      const byStrong = t.strong >= policy.minStrongEvents && t.strong / t.evaluated >= policy.minStrongRate;
      const bySupport =
        policy.minSupportedEvents !== undefined && t.strong >= 1 && t.supported >= policy.minSupportedEvents && t.supported / t.evaluated >= policy.minStrongRate;
      if (!byStrong && !bySupport) continue;
      const rate = t.strong / t.evaluated;
      candidates.push({
        entityType: t.entityType,
        entityId: t.entityId,
        fraudType: t.fraudType,
        score: round3(0.5 * rate + 0.5 * Math.min(1, t.scoreSum / t.evaluated / 100)),
        reasons: [...(t.reasons ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]).map(([r]) => r),
      });
    }
    // A merchant's type is settled first, by the rule set's explicit priority; only then does it
    // take its ring members along, so a shell read as subsidy fraud does not also pull in
    // "cash-out" accounts.
    const merchants = this.pick(candidates.filter((f) => f.entityType === 'merchant'));
    const others = candidates.filter((f) => f.entityType !== 'merchant');
    for (const m of merchants) {
      const members = this.members.get(`${m.entityId}|${m.fraudType}`);
      if (members)
        for (const [userId, x] of members)
          others.push({ entityType: 'user', entityId: userId, fraudType: m.fraudType, score: round3(Math.min(1, x.score / 100)), reasons: ['RING.MEMBER', ...new Set(x.reasons)] });
    }
    return [...merchants, ...this.pick(others)].sort((a, b) => (a.entityType + a.entityId < b.entityType + b.entityId ? -1 : 1));
  }

  /** One flag per entity: the type first in the priority list, the higher score within a type. */
  private pick(flags: Flag[]): Flag[] {
    const rank = (f: Flag) => {
      const i = this.rs.flagPriority.indexOf(f.fraudType);
      return i < 0 ? this.rs.flagPriority.length : i;
    };
    const best = new Map<string, Flag>();
    for (const f of flags) {
      const k = `${f.entityType}|${f.entityId}`;
      const cur = best.get(k);
      if (!cur || rank(f) < rank(cur) || (rank(f) === rank(cur) && f.score > cur.score)) best.set(k, f);
    }
    return [...best.values()];
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function subjectId(e: QuanguardEvent, subject: 'user' | 'merchant' | 'device'): string | undefined {
  const x = e as { userId?: string; merchantId?: string; deviceId?: string };
  return subject === 'user' ? x.userId : subject === 'merchant' ? x.merchantId : x.deviceId;
}
