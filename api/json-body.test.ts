// The API's body parser answers every request as express.json does: the plain bodies it reads
// itself and the rest it hands to express.json. Each case goes to two apps, one with each parser,
// over raw HTTP (so headers and lengths are exactly as written) and the answers must be equal.
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.ts';
import { jsonBody } from './json-body.ts';
import { errorMiddleware } from './present-error.ts';
import { serve, type Served } from './testing/serve.ts';

const LIMIT = 256 * 1024;

function app(parser: express.RequestHandler): express.Express {
  const a = express();
  a.use(parser);
  a.post('/echo', (req, res) => {
    res.json({ type: typeof req.body, body: req.body ?? null });
  });
  a.use(errorMiddleware(silentLogger));
  return a;
}

interface Case {
  name: string;
  body: Buffer | string;
  headers?: Record<string, string>;
}

function send(base: string, c: Case): Promise<{ status: number; body: string }> {
  const body = typeof c.body === 'string' ? Buffer.from(c.body) : c.body;
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length), ...c.headers };
  if (headers['content-length'] === '') delete (headers as Record<string, string>)['content-length'];
  return new Promise((resolve, reject) => {
    const req = request(`${base}/echo`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const event = JSON.stringify({ eventId: 'evt_1', type: 'claim', note: '消费券 "quoted" \\ \u2028', n: [1, 2.5, -0, 1e21] });
const CASES: Case[] = [
  { name: 'an object', body: event },
  { name: 'an array', body: '[1,{"a":null}]' },
  { name: 'a byte-order mark first', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(event)]) },
  { name: 'JSON whitespace first', body: ' \t\r\n' + event },
  { name: 'other whitespace first', body: '\u00a0' + event },
  { name: 'a number', body: '1' },
  { name: 'a string', body: '"x"' },
  { name: 'null', body: 'null' },
  { name: 'broken JSON', body: '{"a":' },
  { name: 'trailing garbage', body: event + 'x' },
  { name: 'invalid UTF-8', body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
  { name: 'an empty body', body: '' },
  { name: 'charset utf-8', body: event, headers: { 'content-type': 'application/json; charset=utf-8' } },
  { name: 'charset UTF-8 spelled otherwise', body: event, headers: { 'content-type': 'application/json; charset=UTF-8' } },
  { name: 'charset latin1', body: event, headers: { 'content-type': 'application/json; charset=latin1' } },
  { name: 'text/plain', body: event, headers: { 'content-type': 'text/plain' } },
  { name: 'no content type', body: event, headers: { 'content-type': '' } },
  { name: 'gzip', body: gzipSync(event), headers: { 'content-encoding': 'gzip' } },
  { name: 'an unknown content encoding', body: event, headers: { 'content-encoding': 'x-zip' } },
  { name: 'chunked, no length', body: event, headers: { 'content-length': '', 'transfer-encoding': 'chunked' } },
  { name: 'exactly the limit', body: `{"pad":"${'a'.repeat(LIMIT - 10)}"}` },
  { name: 'one byte over the limit', body: `{"pad":"${'a'.repeat(LIMIT - 9)}"}` },
  { name: 'far over the limit', body: `{"pad":"${'a'.repeat(3 * LIMIT)}"}` },
];

describe('jsonBody', () => {
  let mine: Served;
  let theirs: Served;
  beforeAll(async () => {
    mine = await serve(app(jsonBody(LIMIT)));
    theirs = await serve(app(express.json({ limit: LIMIT })));
  });
  afterAll(async () => {
    await mine.close();
    await theirs.close();
  });

  it.each(CASES)('answers $name as express.json does', async (c) => {
    const [a, b] = await Promise.all([send(mine.base, c), send(theirs.base, c)]);
    expect(a).toEqual(b);
  });

  it('reads the plain cases itself and parses them (not a pass-through)', async () => {
    const a = await send(mine.base, { name: 'object', body: event });
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toEqual({ type: 'object', body: JSON.parse(event) });
    const strict = await send(mine.base, { name: 'number', body: '1' });
    expect([strict.status, JSON.parse(strict.body).error.code]).toEqual([400, 'INVALID_REQUEST']);
    const big = await send(mine.base, { name: 'big', body: `{"pad":"${'a'.repeat(LIMIT)}"}` });
    expect([big.status, JSON.parse(big.body).error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});
