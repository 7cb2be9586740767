// Where decisions go with their explanation: the analytics store's decisions_v1 table in
// production, an array in tests. Kept behind this small interface so the engine is testable
// without a store.
import type { Outcome } from '../../core/decision.ts';

export interface RuleExplanation {
  /** `ruleId@version` */
  rule: string;
  outcome: string;
  observed: number | null;
  reason?: string;
  error?: string;
}

export interface DecisionRecord {
  decisionId: string;
  eventId: string;
  eventType: 'claim' | 'redemption';
  occurredAtMs: number;
  decision: Outcome;
  score: number;
  reasons: string[];
  rulesetVersion: string;
  shadow: boolean;
  explanation: RuleExplanation[];
  /** The explanation already as JSON text (the engine writes it directly); else the sink stringifies `explanation`. */
  readonly explanationJson?: string;
}

export interface DecisionSink {
  write(records: readonly DecisionRecord[]): Promise<void>;
  /** Writes whatever is buffered; resolves when it is stored. */
  flush(): Promise<void>;
}

export class MemoryDecisionSink implements DecisionSink {
  readonly records: DecisionRecord[] = [];
  async write(records: readonly DecisionRecord[]): Promise<void> {
    this.records.push(...records);
  }
  async flush(): Promise<void> {}
}

/** Drops decisions: for benchmarks of evaluation alone. Named so it is never mistaken for storage. */
export const discardingSink: DecisionSink = { write: async () => {}, flush: async () => {} };
