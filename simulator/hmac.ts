// HMAC-SHA-256 of short ASCII values (identity, phone and card numbers) in plain JavaScript, the
// same hex as core `hmacHex`: the simulator hashes about 700,000 values for the city, and
// node:crypto's createHmac costs ~4 µs each (a key import and two native objects per call), while
// the key's inner and outer states can be computed once and a value under 56 bytes is then two
// block compressions. Anything else goes to `hmacHex`.
import { createHash } from 'node:crypto';
import { hmacHex } from '../core/pii.ts';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
  0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INIT = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const HEX_CODES = Buffer.from('0123456789abcdef', 'latin1');

export class FastHmac {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly w = new Int32Array(64);
  private readonly state = new Int32Array(8);
  private readonly out = Buffer.alloc(64) as Buffer & { latin1Slice(start: number, end: number): string };

  constructor(private readonly secret: string) {
    let key = Buffer.from(secret, 'utf8');
    if (key.length > 64) key = createHash('sha256').update(key).digest();
    const pad = new Uint8Array(64);
    for (const [into, x] of [[this.inner, 0x36], [this.outer, 0x5c]] as const) {
      for (let i = 0; i < 64; i++) pad[i] = (key[i] ?? 0) ^ x;
      for (let i = 0; i < 16; i++) this.w[i] = (pad[4 * i]! << 24) | (pad[4 * i + 1]! << 16) | (pad[4 * i + 2]! << 8) | pad[4 * i + 3]!;
      into.set(INIT);
      this.compress(into);
    }
  }

  /** hmacHex(secret, value): the value is trimmed and upper-cased first, as there. */
  hex(value: string): string {
    const v = value.trim().toUpperCase();
    if (v.length > 55) return hmacHex(this.secret, value);
    const w = this.w;
    w.fill(0, 0, 16);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 127) return hmacHex(this.secret, value);
      w[i >> 2]! |= c << (24 - 8 * (i & 3));
    }
    w[v.length >> 2]! |= 0x80 << (24 - 8 * (v.length & 3));
    w[15] = (64 + v.length) * 8;
    const s = this.state;
    s.set(this.inner);
    this.compress(s);
    // The outer block: the inner digest (32 bytes), padding, length 64 + 32 bytes.
    for (let i = 0; i < 8; i++) w[i] = s[i]!;
    w[8] = 0x80000000;
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = (64 + 32) * 8;
    s.set(this.outer);
    this.compress(s);
    // Hex digits into a scratch buffer and one string from it: joining 32 two-character strings
    // made a rope of a few dozen strings per hash.
    const out = this.out;
    for (let i = 0; i < 8; i++) {
      const x = s[i]!;
      for (let k = 0; k < 8; k++) out[8 * i + k] = HEX_CODES[(x >>> (28 - 4 * k)) & 15]!;
    }
    return out.latin1Slice(0, 64);
  }

  /** One SHA-256 block (the first 16 words of `w`) into `h`. */
  private compress(h: Int32Array): void {
    const w = this.w;
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!, b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, k = h[7]!;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
    h[5] = (h[5]! + f) | 0;
    h[6] = (h[6]! + g) | 0;
    h[7] = (h[7]! + k) | 0;
  }
}
