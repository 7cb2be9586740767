import { describe, expect, it } from 'vitest';
import { at, campaign, claim, DROP } from '../../testing/events.ts';
import { evaluateRule } from '../../testing/rule-harness.ts';
import accountsPerDevice from './accounts-per-device.ts';
import automationUserAgent from './automation-user-agent.ts';
import claimLatency from './claim-latency.ts';
import hostingIp from './hosting-ip.ts';
import ipLocationMismatch from './ip-location-mismatch.ts';
import newAccount from './new-account.ts';
import outsideCity from './outside-city.ts';

const before = [campaign()];

describe('bot claiming rules', () => {
  it.each([
    ['BOT.CLAIM_LATENCY on a claim 40 ms after the drop', DROP + 40, 'hit', 40],
    ['no hit for a claim 25 s after the drop', DROP + 25_000, 'no_hit', 25_000],
    ['no hit for a claim before the drop (clock skew)', DROP - 100, 'no_hit', -100],
  ])('%s', (_name, t, outcome, observed) => {
    const r = evaluateRule(claimLatency, { maxLatencyMs: 3000 }, claim({ occurredAt: at(t) }), { before });
    expect(r).toMatchObject({ outcome, observed });
  });

  it('skips the latency rule when the batch is unknown', () => {
    expect(evaluateRule(claimLatency, { maxLatencyMs: 3000 }, claim({ batchId: 'bat_other' }), { before }).outcome).toBe('skipped');
  });

  it.each([
    ['BOT.DEVICE_SHARED at the minimum', 3, 'hit'],
    ['no hit below it', 2, 'no_hit'],
  ])('%s', (_n, v, outcome) => {
    expect(evaluateRule(accountsPerDevice, { feature: 'device.users.30d', atLeast: 3 }, claim({ deviceId: 'dev_1' }), { features: { 'device.users.30d': v } }).outcome).toBe(outcome);
  });

  it('no hit and no observed value when the event lacks the entity', () => {
    expect(evaluateRule(accountsPerDevice, { feature: 'device.users.30d', atLeast: 3 }, claim(), { features: { 'device.users.30d': NaN } })).toMatchObject({ outcome: 'no_hit', observed: null });
  });

  it.each([
    ['BOT.AUTOMATION_UA for okhttp', 'okhttp/4.9.3', 'hit'],
    ['BOT.AUTOMATION_UA for headless Chrome', 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0', 'hit'],
    ['no hit for the Alipay web view', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AlipayClient/10.6.10', 'no_hit'],
  ])('%s', (_n, ua, outcome) => {
    expect(evaluateRule(automationUserAgent, { patterns: ['headless', 'okhttp'] }, claim({ userAgent: ua })).outcome).toBe(outcome);
  });

  it.each([
    ['BOT.HOSTING_IP inside a cloud range', '47.104.9.9', 'hit'],
    ['no hit for a range that merely starts with the same digits', '47.10.41.1', 'no_hit'],
    ['no hit for home broadband', '180.111.2.3', 'no_hit'],
  ])('%s', (_n, ip, outcome) => {
    expect(evaluateRule(hostingIp, { prefixes: ['47.104'] }, claim({ ip })).outcome).toBe(outcome);
  });

  it.each([
    ['BOT.NEW_ACCOUNT for an account opened two days before', DROP - 2 * 86_400_000, 'hit'],
    ['no hit for a year-old account', DROP - 365 * 86_400_000, 'no_hit'],
  ])('%s', (_n, created, outcome) => {
    expect(evaluateRule(newAccount, { maxAgeHours: 168 }, claim({ accountCreatedAt: at(created), occurredAt: at(DROP) })).outcome).toBe(outcome);
  });

  it.each([
    ['BOT.OUTSIDE_CITY for a claim from Shanghai', 31.23, 121.47, 'hit'],
    ['no hit inside the fence', 34.6, 119.25, 'no_hit'],
  ])('%s', (_n, lat, lon, outcome) => {
    expect(evaluateRule(outsideCity, { marginKm: 10 }, claim({ lat, lon }), { before }).outcome).toBe(outcome);
  });

  it('BOT.IP_LOCATION_MISMATCH when the claim is far from where its range is seen', () => {
    // Four earlier claims near (34.6, 119.2) and this one in Nanjing (32.06, 118.8).
    const f = { lat: 4 * 34.6 + 32.06, lon: 4 * 119.2 + 118.8, n: 5 };
    const r = evaluateRule(ipLocationMismatch, { latSum: 'lat', lonSum: 'lon', located: 'n', minLocated: 5, maxKm: 80 }, claim({ ip: '1.2.3.4', lat: 32.06, lon: 118.8 }), { features: f });
    expect(r.outcome).toBe('hit');
    expect(r.observed).toBeGreaterThan(250);
  });
});
