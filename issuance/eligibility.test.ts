import { describe, expect, it } from 'vitest';
import { hmacHex } from '../core/pii.ts';
import { detectFormat, parseWinners } from './eligibility.ts';
import { nationalId, phone } from './testing/fixtures.ts';

const SECRET = 'eligibility-test-secret-0123';

describe('parseWinners', () => {
  it('hashes ID and phone, drops the name, and derives the account from the phone when absent', () => {
    const csv = `\uFEFF姓名,身份证号,手机号\r\n"张, 三",${nationalId(1)},+86 ${phone(1)}\r\n`;
    const r = parseWinners(csv, 'csv', SECRET);
    expect(r.rejected).toEqual([]);
    expect(r.winners).toEqual([{ line: 2, userId: `usr_${hmacHex(SECRET, phone(1)).slice(0, 24)}`, idHash: hmacHex(SECRET, nationalId(1)), phoneHash: hmacHex(SECRET, phone(1)) }]);
    expect(JSON.stringify(r)).not.toContain('张');
  });

  it('names the line and reason of every rejected record, masked', () => {
    const badCheck = nationalId(2).slice(0, 17) + (nationalId(2).endsWith('1') ? '2' : '1');
    const ndjson = [
      JSON.stringify({ nationalId: nationalId(3), phone: phone(3), userId: 'usr_3' }),
      '{broken',
      JSON.stringify({ nationalId: badCheck, phone: phone(2) }),
      JSON.stringify({ nationalId: '32070619901301001X', phone: phone(4) }),
      '',
      JSON.stringify({ nationalId: nationalId(5), phone: phone(5), userId: 'usr {5}' }),
      '[1]',
    ].join('\n');
    const r = parseWinners(ndjson, 'json', SECRET);
    expect(r.winners.map((w) => w.line)).toEqual([1]);
    expect(r.rejected).toEqual([
      { line: 2, field: '(line)', reason: 'is not valid JSON' },
      { line: 3, field: 'nationalId', reason: 'has a wrong check digit (GB 11643)', value: `${badCheck.slice(0, 3)}***********${badCheck.slice(-4)}` },
      { line: 4, field: 'nationalId', reason: 'has an impossible birth date', value: '320***********001X' },
      { line: 6, field: 'userId', reason: 'must be 1-128 letters, digits or _.:-' },
      { line: 7, field: '(line)', reason: 'must be a JSON object' },
    ]);
  });

  it('refuses a file without the needed columns and tells which', () => {
    expect(parseWinners('name,phone\nx,13900000001\n', 'csv', SECRET).rejected).toEqual([
      { line: 1, field: '(header)', reason: 'has no nationalId column (accepted: nationalid, national_id, idnumber, id_number, id, 身份证号, 身份证号码)' },
    ]);
    expect(parseWinners('{"a":', 'json', SECRET).rejected[0]).toMatchObject({ field: '(line)' });
    expect(parseWinners('[1,', 'json', SECRET).rejected[0]).toMatchObject({ field: '(file)', reason: 'is not valid JSON' });
  });

  it('detects the format from the first character', () => {
    expect(detectFormat(' [{"a":1}]')).toBe('json');
    expect(detectFormat('{"a":1}\n')).toBe('json');
    expect(detectFormat('\uFEFFname,id\n')).toBe('csv');
  });
});
