// What the HTTP load generator (bench/_http-load.ts) sends, built before its clock starts.
import { benchTraffic } from './_decide-events.ts';

export interface LoadRequest {
  path: string;
  body: string;
  headers?: Record<string, string>;
}

export type RequestSource =
  /** The same fixed body to one path (trivial handlers). */
  | { kind: 'fixed'; path: string; body: string; token?: string }
  /** The decide bench's seeded traffic, each event to its own route. */
  | { kind: 'decide'; seed: number; count: number; path?: string }
  /** Claims: request i claims for user (i / types) % users with a fresh idempotency key. */
  | { kind: 'claim'; path: string; token: string; campaignId: string; couponTypes: string[]; users: number; keyPrefix: string; count: number };

export function requests(s: RequestSource): LoadRequest[] {
  switch (s.kind) {
    case 'fixed':
      return [{ path: s.path, body: s.body, ...(s.token ? { headers: { authorization: `Bearer ${s.token}` } } : {}) }];
    case 'decide':
      return benchTraffic(s.seed, s.count, { prefix: `l${s.seed}x` }).stream.map((e) => ({ path: s.path ?? `/v1/decisions/${e.type}`, body: JSON.stringify(e) }));
    case 'claim': {
      const headers = { authorization: `Bearer ${s.token}` };
      return Array.from({ length: s.count }, (_, n) => ({
        path: s.path,
        headers,
        body: JSON.stringify({ campaignId: s.campaignId, couponTypeId: s.couponTypes[n % s.couponTypes.length], userId: `usr_${Math.floor(n / s.couponTypes.length) % s.users}`, idempotencyKey: `${s.keyPrefix}${n}`, channel: 'app' }),
      }));
    }
  }
}
