// The API's JSON body parser: express.json for every case, with the plain one read directly. On
// the decision API's thread express.json cost ~45 µs of CPU per request in a profile at 2,000/s
// (type and charset parsing, seven stream listeners, an iconv decoder), about a tenth of the whole
// request. A body that is plain (no content encoding, `application/json` with no parameter or
// utf-8, a length within the limit) is read here with three listeners and parsed as
// express.json would; anything else, including every odd header, goes to express.json itself.
// Errors carry the same `type` and `status` as body-parser's, so api/present-error.ts answers the
// same (json-body.test.ts compares the two on a table of bodies).
import express, { type RequestHandler } from 'express';

const PLAIN_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);
const DIGITS = /^[0-9]{1,9}$/;

function bodyError(message: string, type: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { type, status: 400, statusCode: 400, expose: true });
}

/** body-parser's strict JSON: only an object or array at the top; an empty body is `{}`. */
function parseStrict(text: string): unknown {
  if (text.length === 0) return {};
  let i = 0;
  // JSON whitespace only (body-parser's rule), then the first character decides.
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  const first = text.charCodeAt(i);
  if (first !== 0x7b /* { */ && first !== 0x5b /* [ */) throw bodyError('body is not a JSON object or array', 'entity.parse.failed');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw bodyError((err as Error).message, 'entity.parse.failed', err);
  }
}

/** `limit` in bytes. */
export function jsonBody(limit: number): RequestHandler {
  const fallback = express.json({ limit });
  return (req, res, next) => {
    const h = req.headers;
    const length = h['content-length'];
    const type = h['content-type'];
    if (
      req.body !== undefined ||
      req.readableEnded ||
      !req.socket?.readable ||
      h['content-encoding'] !== undefined ||
      h['transfer-encoding'] !== undefined ||
      type === undefined ||
      !PLAIN_TYPES.has(type) ||
      length === undefined ||
      !DIGITS.test(length)
    )
      return fallback(req, res, next);
    const expected = Number(length);
    if (expected === 0 || expected > limit) return fallback(req, res, next);

    let first: Buffer | null = null;
    let rest: Buffer[] | null = null;
    let received = 0;
    let settled = false;
    // The listeners stay on the finished request (removing them cost more than it saves); a late
    // 'error' after 'end' is ignored here.
    const done = (err: unknown) => {
      if (settled) return;
      settled = true;
      next(err);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (first === null) first = chunk;
      else (rest ??= [first]).push(chunk);
    };
    const onEnd = () => {
      if (received !== expected) return done(bodyError('request size did not match content length', 'request.size.invalid'));
      const bytes: Buffer = rest ? Buffer.concat(rest, received) : first!;
      // body-parser decodes through iconv-lite, which drops a leading byte-order mark.
      const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
      try {
        req.body = parseStrict(bytes.toString('utf8', bom));
      } catch (err) {
        return done(err);
      }
      done(undefined);
    };
    const onError = (err: Error) => done(bodyError('request aborted', 'request.aborted', err));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  };
}
