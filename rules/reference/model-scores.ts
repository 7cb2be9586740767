// Model scores as rule features. The models' scheduler (models/scheduler.ts) publishes the latest
// run here (the merchant forest's vote shares, and which accounts and merchants sit in a flagged
// ring); rules read them through `ctx.reference.modelScores`.
// A score is a fact about the window the run read, so a rule sees it only for events at or after
// the window's end: replaying older events never reads a score made from their future, and a
// replay without a model run reads nothing (the rules then answer no_hit, not error).
import type { FraudType } from '../../core/events.ts';

export interface MerchantModelScore {
  /** 1 - share of trees voting legitimate. */
  risk: number;
  /** Share of trees voting for each fraud type. */
  shares: Partial<Record<FraudType, number>>;
}

export interface RingModelScore {
  ringId: string;
  fraudType: FraudType;
  score: number;
}

export interface ModelScoreSnapshot {
  /** End of the window the run read (event time). */
  atMs: number;
  /** e.g. `merchant-risk@2 rings@3`: recorded by a rule's caller when it needs to explain a hit. */
  modelVersion: string;
  merchants: ReadonlyMap<string, MerchantModelScore>;
  /** Per member (account or merchant id): the strongest ring of each fraud type it belongs to. */
  rings: ReadonlyMap<string, readonly RingModelScore[]>;
}

export class ModelScoreTable {
  private snapshot: ModelScoreSnapshot | undefined;

  /** Keeps the newest run; a late publish of an older window is ignored. */
  publish(s: ModelScoreSnapshot): void {
    if (!this.snapshot || s.atMs >= this.snapshot.atMs) this.snapshot = s;
  }

  /** The snapshot a rule may read for an event at `atMs`, if any. */
  at(atMs: number): ModelScoreSnapshot | undefined {
    const s = this.snapshot;
    return s && s.atMs <= atMs ? s : undefined;
  }

  merchant(merchantId: string, atMs: number): MerchantModelScore | undefined {
    return this.at(atMs)?.merchants.get(merchantId);
  }

  /** The strongest ring of `fraudType` the entity belongs to, if any. */
  ring(entityId: string, fraudType: FraudType, atMs: number): RingModelScore | undefined {
    return this.at(atMs)?.rings.get(entityId)?.find((r) => r.fraudType === fraudType);
  }
}
