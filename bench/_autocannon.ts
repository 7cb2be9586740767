// The closed-loop (full load) generator for bench/claim.ts, run as a separate process so it does
// not share an event loop with the server under test. Reads its config as JSON in argv[2]; prints
// one JSON line. Runs at a fixed offered rate use bench/_http-load.ts instead: autocannon's
// `overallRate` bursts and invents tail samples (that file says how), so it is not offered here.
import autocannon from 'autocannon';

interface Config {
  url: string;
  token: string;
  connections: number;
  durationS: number;
  /** When set, each request claims for user (i % users) with a fresh idempotency key. */
  claim?: { campaignId: string; couponTypes: string[]; users: number; keyPrefix: string };
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
let i = 0;
const result = await autocannon({
  url: cfg.url,
  connections: cfg.connections,
  duration: cfg.durationS,
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.token}` },
      setupRequest(req: Record<string, unknown>) {
        const n = i++;
        const c = cfg.claim;
        req.body = c
          ? JSON.stringify({ campaignId: c.campaignId, couponTypeId: c.couponTypes[n % c.couponTypes.length], userId: `usr_${Math.floor(n / c.couponTypes.length) % c.users}`, idempotencyKey: `${c.keyPrefix}${n}`, channel: 'app' })
          : '{"campaignId":"cmp_x","couponTypeId":"cpt_x","userId":"usr_x","idempotencyKey":"k","channel":"app"}';
        return req;
      },
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requestsPerS: result.requests.average,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
    durationS: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  }) + '\n',
);
