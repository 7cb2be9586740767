import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLoop } from './_http-bench.ts';

// A server that answers at once, except that it blocks its event loop for STALL_MS when the
// STALL_AT-th request arrives.
const STALL_AT = 250;
const STALL_MS = 500;
let server: http.Server;
let port: number;
let seen = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (++seen === STALL_AT) {
        const until = Date.now() + STALL_MS;
        while (Date.now() < until);
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('open-loop load generator', () => {
  it('counts a server stall for every request due during it, not only those in flight', async () => {
    // 200/s for 2 s measured after 0.5 s of warm-up: ~100 of the 400 measured requests fall due
    // during the 500 ms stall, ~80 of them at least 100 ms before it ends. A generator timing from
    // the moment it could send (coordinated omission) would see only the 10 in flight as slow.
    const r = await openLoop({ host: '127.0.0.1', port, rate: 200, warmupS: 0.5, seconds: 2, connections: 10, source: { kind: 'fixed', path: '/x', body: '{}' } });
    expect(r.due).toBe(400);
    expect(r.answered).toBe(400);
    expect(r.errors + r.non2xx + r.unanswered).toBe(0);
    expect(r.max).toBeGreaterThanOrEqual(STALL_MS * 0.8);
    expect(r.p90).toBeGreaterThanOrEqual(100);
  });
});
