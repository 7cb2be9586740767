import { describe, expect, it } from 'vitest';
import { hmacHex } from '../core/pii.ts';
import { Rng } from '../core/rng.ts';
import { FastHmac } from './hmac.ts';

describe('FastHmac', () => {
  it('gives the same hex as hmacHex for short, long, lower-case and non-ASCII values and keys', () => {
    const rng = new Rng(3);
    for (const secret of ['simulator-test-secret-0123456789', 'k'.repeat(64), 'long-'.repeat(30), '项目密钥-secret-0123456789']) {
      const fast = new FastHmac(secret);
      for (let i = 0; i < 500; i++) {
        const len = rng.int(0, 80);
        let v = '';
        for (let k = 0; k < len; k++) v += rng.pick(['0', '7', 'x', 'X', ':', ' ', 'a', '号']);
        expect(fast.hex(v), JSON.stringify({ secret, v })).toBe(hmacHex(secret, v));
      }
      expect(fast.hex('320706199001011234')).toBe(hmacHex(secret, '320706199001011234'));
    }
  });
});
