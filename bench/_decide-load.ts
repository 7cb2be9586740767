// Load generator for the decide benchmark, run as its own process so it does not share the event
// loop of the server it measures: autocannon at a fixed offered rate, every request a new event.
// argv: URL KIND(claim|redemption|mixed) RATE DURATION_S CONNECTIONS SEED; prints one JSON line.
import autocannon from 'autocannon';
import { benchTraffic } from './_decide-events.ts';

const [url, , rate, duration, connections, seed] = process.argv.slice(2);
const traffic = benchTraffic(Number(seed), Number(rate) * Number(duration) * 1.3 + 1000, { prefix: `l${seed}x` });
let i = 0;

const result = await autocannon({
  url: url!,
  method: 'POST',
  connections: Number(connections),
  overallRate: Number(rate),
  duration: Number(duration),
  headers: { 'content-type': 'application/json' },
  requests: [
    {
      setupRequest(req: Record<string, unknown>) {
        const e = traffic.stream[i++ % traffic.stream.length]!;
        req.path = `/v1/decisions/${e.type}`;
        req.body = JSON.stringify(e);
        return req;
      },
    },
  ],
});
const l = result.latency as unknown as Record<string, number>;
process.stdout.write(
  JSON.stringify({ p50: l.p50, p90: l.p90, p99: l.p99, max: l.max, requests: result.requests.total, rps: result.requests.average, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }) + '\n',
);
