// RiskDecider over HTTP, for an issuance core running apart from the rules engine. Same interface
// as the in-process engine; a transport failure or a 5xx is an UNAVAILABLE AppError (retryable),
// a 4xx an INVALID_REQUEST naming the field the engine refused.
import { z } from 'zod';
import type { RiskDecider, RiskDecision } from '../core/decision.ts';
import { OUTCOMES } from '../core/decision.ts';
import { AppError, unavailable } from '../core/errors.ts';
import type { Claim, Redemption } from '../core/events.ts';

const decisionSchema = z.object({
  decisionId: z.string().min(1),
  eventId: z.string().min(1),
  decision: z.enum(OUTCOMES),
  score: z.number(),
  reasons: z.array(z.string()),
  rulesetVersion: z.string().min(1),
});
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

export interface HttpRiskDeciderOptions {
  baseUrl: string;
  token?: string;
  timeoutMs?: number;
}

export class HttpRiskDecider implements RiskDecider {
  readonly name: string;
  private readonly base: string;

  constructor(private readonly opts: HttpRiskDeciderOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.name = `http-decider(${new URL(this.base).origin})`;
  }

  async decide(event: Claim | Redemption): Promise<RiskDecision> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/v1/decisions/${event.type}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 2000),
      });
    } catch (err) {
      throw unavailable('risk decision API', err);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (res.status >= 500 || res.status === 429) throw unavailable(`risk decision API (HTTP ${res.status})`);
    if (res.status >= 400) {
      const e = errorSchema.safeParse(body);
      throw new AppError(res.status === 401 ? 'UNAUTHENTICATED' : 'INVALID_REQUEST', e.success ? e.data.error.message : `risk decision API refused the event (HTTP ${res.status})`, {
        field: e.success ? e.data.error.field : undefined,
      });
    }
    const d = decisionSchema.safeParse(body);
    if (!d.success) throw unavailable('risk decision API (malformed answer)');
    return d.data;
  }
}
