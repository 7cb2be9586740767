// Personal data: raw national ID and phone numbers are hashed with the program's secret at the
// edge and dropped; only hashes are stored, only masks are shown.
import { createHmac } from 'node:crypto';

export function hmacHex(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value.trim().toUpperCase()).digest('hex');
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999 citizen identity number: 17 digits and a check character (0-9 or X). */
export function checkNationalId(raw: string): { ok: true } | { ok: false; reason: string } {
  const id = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, reason: 'must be 17 digits followed by a digit or X' };
  const birth = id.slice(6, 14);
  const y = Number(birth.slice(0, 4)), m = Number(birth.slice(4, 6)), d = Number(birth.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return { ok: false, reason: 'has an impossible birth date' };
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  if (ID_CHECK[sum % 11] !== id[17]) return { ok: false, reason: 'has a wrong check digit (GB 11643)' };
  return { ok: true };
}

/** Computes the GB 11643 check character for 17 digits (used by fixtures and the simulator). */
export function nationalIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

/** Mainland China mobile number: 11 digits starting 13-19, optional +86/86 prefix. */
export function checkPhone(raw: string): { ok: true; normalized: string } | { ok: false; reason: string } {
  const p = raw.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
  if (!/^1[3-9]\d{9}$/.test(p)) return { ok: false, reason: 'must be an 11-digit mainland mobile number starting 13-19' };
  return { ok: true, normalized: p };
}

/** 320***********1234 */
export function maskNationalId(raw: string): string {
  const id = raw.trim();
  // A value shorter than an ID number would show most of itself through the usual mask: hide it all.
  if (id.length < 15) return '*'.repeat(id.length);
  return id.slice(0, 3) + '*'.repeat(id.length - 7) + id.slice(-4);
}

/** 138****5678 */
export function maskPhone(raw: string): string {
  const p = raw.replace(/\D/g, '');
  if (p.length < 11) return '*'.repeat(p.length);
  return p.slice(0, 3) + '*'.repeat(p.length - 7) + p.slice(-4);
}
