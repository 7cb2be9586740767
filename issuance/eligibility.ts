// Lottery winners from the city app, as CSV or JSON: each national ID (GB 11643) and phone is
// checked, turned into an HMAC under the program's secret, and the raw values and the name are
// dropped here. Rejections name the line and the reason and show only masked values.
import { checkNationalId, checkPhone, hmacHex, maskNationalId, maskPhone } from '../core/pii.ts';
import { parseCsv } from './csv.ts';

export interface HashedWinner {
  line: number;
  userId: string;
  idHash: string;
  phoneHash: string;
}

export interface Rejection {
  line: number;
  field: string;
  reason: string;
  /** Masked, never the raw value. */
  value?: string;
}

export interface ParsedWinners {
  winners: HashedWinner[];
  rejected: Rejection[];
  lines: number;
}

const COLUMNS = {
  name: ['name', '姓名'],
  nationalId: ['nationalid', 'national_id', 'idnumber', 'id_number', 'id', '身份证号', '身份证号码'],
  phone: ['phone', 'mobile', 'phonenumber', 'phone_number', '手机号', '手机号码'],
  userId: ['userid', 'user_id', 'account', '账号'],
} as const;
type Column = keyof typeof COLUMNS;

const USER_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export function detectFormat(text: string): 'csv' | 'json' {
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '[' || first === '{' ? 'json' : 'csv';
}

export function parseWinners(text: string, format: 'csv' | 'json', secret: string): ParsedWinners {
  const raw = format === 'csv' ? csvRows(text) : jsonRows(text);
  if ('error' in raw) return { winners: [], rejected: [raw.error], lines: 0 };
  const winners: HashedWinner[] = [];
  const rejected: Rejection[] = [];
  for (const r of raw.rows) {
    if (r.problem) {
      rejected.push({ line: r.line, field: '(line)', reason: r.problem });
      continue;
    }
    const id = r.values.nationalId ?? '';
    const phone = r.values.phone ?? '';
    const idCheck = checkNationalId(id);
    if (!idCheck.ok) {
      rejected.push({ line: r.line, field: 'nationalId', reason: idCheck.reason, value: maskId(id) });
      continue;
    }
    const phoneCheck = checkPhone(phone);
    if (!phoneCheck.ok) {
      rejected.push({ line: r.line, field: 'phone', reason: phoneCheck.reason, value: maskPhoneValue(phone) });
      continue;
    }
    const idHash = hmacHex(secret, id);
    const phoneHash = hmacHex(secret, phoneCheck.normalized);
    const given = r.values.userId?.trim();
    if (given !== undefined && given !== '' && !USER_ID.test(given)) {
      rejected.push({ line: r.line, field: 'userId', reason: 'must be 1-128 letters, digits or _.:-' });
      continue;
    }
    // Without an account column the city app's account is the one registered by the phone number.
    const userId = given || `usr_${phoneHash.slice(0, 24)}`;
    winners.push({ line: r.line, userId, idHash, phoneHash });
  }
  return { winners, rejected, lines: raw.rows.length };
}

// core/pii.ts masks keep 7 characters, which on a short or truncated value is most of it: below
// full length nothing is shown.
function maskId(raw: string): string {
  const v = raw.trim();
  return v.length >= 15 ? maskNationalId(v) : '*'.repeat(Math.min(v.length, 18));
}

function maskPhoneValue(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  return digits.length >= 11 ? maskPhone(raw) : '*'.repeat(Math.min(digits.length, 11));
}

interface RawRow {
  line: number;
  values: Partial<Record<Column, string>>;
  problem?: string;
}

function columnOf(header: string): Column | undefined {
  const h = header.trim().toLowerCase().replace(/\s+/g, '');
  return (Object.keys(COLUMNS) as Column[]).find((c) => (COLUMNS[c] as readonly string[]).includes(h));
}

function csvRows(text: string): { rows: RawRow[] } | { error: Rejection } {
  const records = parseCsv(text);
  const header = records.shift();
  if (!header) return { error: { line: 1, field: '(header)', reason: 'file is empty' } };
  const cols = header.fields.map(columnOf);
  for (const need of ['nationalId', 'phone'] as const)
    if (!cols.includes(need)) return { error: { line: header.line, field: '(header)', reason: `has no ${need} column (accepted: ${COLUMNS[need].join(', ')})` } };
  return {
    rows: records.map((r) => {
      if (r.fields.length !== cols.length) return { line: r.line, values: {}, problem: `has ${r.fields.length} fields, the header has ${cols.length}` };
      const values: Partial<Record<Column, string>> = {};
      cols.forEach((c, i) => {
        if (c) values[c] = r.fields[i];
      });
      return { line: r.line, values };
    }),
  };
}

function jsonRows(text: string): { rows: RawRow[] } | { error: Rejection } {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  let items: { line: number; value: unknown; problem?: string }[];
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(trimmed);
    } catch {
      return { error: { line: 1, field: '(file)', reason: 'is not valid JSON' } };
    }
    if (!Array.isArray(arr)) return { error: { line: 1, field: '(file)', reason: 'must be a JSON array of winners' } };
    // For a JSON array the "line" is the record's position, starting at 1.
    items = arr.map((value, i) => ({ line: i + 1, value }));
  } else {
    items = text.split('\n').flatMap((l, i) => {
      if (!l.trim()) return [];
      try {
        return [{ line: i + 1, value: JSON.parse(l) as unknown }];
      } catch {
        return [{ line: i + 1, value: null, problem: 'is not valid JSON' }];
      }
    });
  }
  return {
    rows: items.map(({ line, value, problem }) => {
      if (problem) return { line, values: {}, problem };
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, values: {}, problem: 'must be a JSON object' };
      const values: Partial<Record<Column, string>> = {};
      for (const [k, v] of Object.entries(value)) {
        const c = columnOf(k);
        if (c && (typeof v === 'string' || typeof v === 'number')) values[c] = String(v);
      }
      return { line, values };
    }),
  };
}
