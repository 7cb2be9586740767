// The stand-in until the rules engine (rules/) supplies a real RiskDecider. Its name says what it
// is, and the service logs that name at start, so nobody mistakes it for risk control.
import type { Clock } from '../core/clock.ts';
import type { RiskDecider, RiskDecision } from '../core/decision.ts';
import type { Claim, Redemption } from '../core/events.ts';
import { newId } from '../core/ids.ts';
import { Rng } from '../core/rng.ts';
import { randomBytes } from 'node:crypto';

export class AllowAllRiskDecider implements RiskDecider {
  readonly name = 'allow-all (NO risk control: stand-in until the rules engine is wired)';
  private readonly rng = new Rng(randomBytes(16).toString('hex'));
  constructor(private readonly clock: Clock) {}
  async decide(event: Claim | Redemption): Promise<RiskDecision> {
    return { decisionId: newId('decision', this.clock.now(), this.rng), eventId: event.eventId, decision: 'allow', score: 0, reasons: [], rulesetVersion: 'allow-all' };
  }
}
