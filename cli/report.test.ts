// `quanguard report` refuses bad arguments with exit code 2 and a message naming the option.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './report.ts';

describe('quanguard report arguments', () => {
  afterEach(() => vi.restoreAllMocks());

  it('names the option that is wrong, for the daily and the final report', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run(['--day', '2026-02-30'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/^quanguard report: --day is not a calendar day/);
    expect(await run(['--final'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/^quanguard report: --campaign /);
    expect(await run(['--final', '--campaign', 'spring'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/--campaign must be a campaign id/);
    expect(await run(['--final', '--campaign', 'cmp_x', '--day', '2026-05-01'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/--day does not go with --final/);
    expect(await run(['--final=yes', '--campaign', 'cmp_x'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/--final takes no value/);
  });
});
