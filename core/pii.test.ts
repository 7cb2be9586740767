import { describe, expect, it } from 'vitest';
import { checkNationalId, checkPhone, hmacHex, maskNationalId, maskPhone, nationalIdCheckChar } from './pii.ts';

describe('personal data', () => {
  const base = '32070319900101123';
  const valid = base + nationalIdCheckChar(base);

  it('accepts a national ID with the right GB 11643 check digit', () => {
    expect(checkNationalId(valid)).toEqual({ ok: true });
  });

  it('rejects a wrong check digit', () => {
    const wrong = base + (valid.endsWith('0') ? '1' : '0');
    expect(checkNationalId(wrong)).toEqual({ ok: false, reason: 'has a wrong check digit (GB 11643)' });
  });

  it('rejects an impossible birth date', () => {
    const b = '32070319900231123';
    expect(checkNationalId(b + nationalIdCheckChar(b)).ok).toBe(false);
  });

  it('checks mainland mobile numbers', () => {
    expect(checkPhone('+86 138-1234-5678')).toEqual({ ok: true, normalized: '13812345678' });
    expect(checkPhone('12812345678').ok).toBe(false);
    expect(checkPhone('1381234567').ok).toBe(false);
  });

  it('masks as the bureau displays them', () => {
    expect(maskNationalId('320703199001011234')).toBe('320***********1234');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('hides short values entirely rather than showing most of them', () => {
    expect(maskPhone('1381234')).toBe('*******');
    expect(maskNationalId('3207031990')).toBe('**********');
  });

  it('hashes with the secret, so another secret gives another hash', () => {
    expect(hmacHex('s1-secret-secret', valid)).toMatch(/^[0-9a-f]{64}$/);
    expect(hmacHex('s1-secret-secret', valid)).not.toBe(hmacHex('s2-secret-secret', valid));
  });
});
