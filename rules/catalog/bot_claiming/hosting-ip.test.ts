import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/rng.ts';
import { cutAtBoundary, filePrefixes, hosted, segmentKey } from './hosting-ip.ts';

// What the rule means, written plainly: the address starts with a prefix cut at a boundary.
function naive(ip: string, prefixes: string[]): boolean {
  return prefixes.some((p) => ip.startsWith(cutAtBoundary(p)));
}

describe('hosting ranges filed by first segment', () => {
  it('cuts a range at the boundary of its family: an IPv6 range without its last colon still matches its addresses', () => {
    const filed = filePrefixes(['47.104', '2408:8000']);
    expect(hosted('47.104.3.9', filed)).toBe(true);
    expect(hosted('47.1044.3.9', filed)).toBe(false);
    expect(hosted('2408:8000:1::5', filed)).toBe(true);
    expect(hosted('2408:80001::5', filed)).toBe(false);
  });

  it('gives a string the key of any prefix it starts with, and refuses what no prefix can start', () => {
    expect(segmentKey('47.104.9.9')).toBe(segmentKey('47.'));
    expect(segmentKey('47.104.9.9')).not.toBe(segmentKey('4.'));
    expect(segmentKey('2408:8000::1')).toBe(segmentKey('2408:'));
    expect(segmentKey('24081:8000::1')).toBe(-1);
    expect(segmentKey('1é.2.3.4')).toBe(-1);
    expect(segmentKey('47')).toBe(-1);
  });

  it('answers as a scan over every prefix, on random addresses and ranges of either family and case', () => {
    const rng = new Rng(11);
    const alphabet = '0123456789abcdefABCDEF.:x';
    const piece = (max: number) => Array.from({ length: rng.int(1, max) }, () => alphabet[rng.int(0, alphabet.length - 1)]).join('');
    const v4 = () => `${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}`;
    let hits = 0;
    for (let round = 0; round < 200; round++) {
      const prefixes = Array.from({ length: rng.int(1, 12) }, () => {
        const k = rng.int(0, 3);
        if (k === 0) return v4().split('.').slice(0, rng.int(1, 3)).join('.');
        if (k === 1) return ['2408', '240E', '240e', 'fe80', '24081'][rng.int(0, 4)]! + (rng.bool(0.5) ? ':' + piece(4) : '');
        return piece(7).replace(/x/g, '');
      }).filter((p) => p.length > 0);
      if (prefixes.length === 0) continue;
      const filed = filePrefixes(prefixes);
      for (let i = 0; i < 200; i++) {
        const base = prefixes[rng.int(0, prefixes.length - 1)]!;
        const ip = rng.bool(0.4) ? base + (rng.bool(0.5) ? '.' : '') + piece(6) : rng.bool(0.5) ? v4() : piece(12);
        const want = naive(ip, prefixes);
        if (want) hits++;
        expect(hosted(ip, filed), `${ip} against ${prefixes.join(',')}`).toBe(want);
      }
    }
    expect(hits).toBeGreaterThan(1000);
  });
});
