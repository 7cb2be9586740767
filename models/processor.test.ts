import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toCstIso } from '../core/clock.ts';
import type { Flag } from '../core/decision.ts';
import type { QuanguardEvent } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { createModelProcessor } from './processor.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const T0 = Date.parse('2026-05-01T10:00:00.000+08:00');
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

/** A campaign and a farm of 12 fresh accounts on 2 devices claiming within a second of the drop. */
function farmEvents(): QuanguardEvent[] {
  const out: QuanguardEvent[] = [{
    eventId: 'evt_cmp', type: 'campaign.published', occurredAt: toCstIso(T0 - 86_400_000), campaignId: 'cmp_1', name: 'c', startsAt: toCstIso(T0), endsAt: toCstIso(T0 + 30 * 86_400_000), budgetFen: 100_000,
    batches: [{ batchId: 'bat_1', dropAt: toCstIso(T0), validUntil: toCstIso(T0 + 20 * 86_400_000), coupons: [{ couponTypeId: 'cpt_1', kind: 'threshold', thresholdFen: 10_000, discountFen: 2_000, quantity: 100, categories: ['dining'] }] }],
    limits: { perPerson: 1, perPersonPerType: 1, perPersonPerBatch: 1 }, refundPolicy: 'never_return',
  }];
  for (let i = 0; i < 12; i++)
    out.push({ eventId: `evt_c${i}`, type: 'claim', occurredAt: toCstIso(T0 + 40 + i * 30), claimId: `clm_${i}`, couponId: `cpn_${i}`, campaignId: 'cmp_1', batchId: 'bat_1', couponTypeId: 'cpt_1', userId: `usr_farm${i}`, idHash: hash(`id${i}`), phoneHash: hash(`ph${i}`), deviceId: `dev_farm${i % 2}`, ip: `47.92.1.${i + 2}`, channel: 'app', userAgent: 'python-requests/2.31', accountCreatedAt: toCstIso(T0 - 2 * 86_400_000) });
  return out;
}

describe('models replay processor', () => {
  it('adds its ring flags to the rules\' flags.json at finish, keeping theirs, with evidence beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qg-models-proc-'));
    dirs.push(dir);
    const rulesFlag: Flag = { entityType: 'user', entityId: 'usr_x', fraudType: 'hoarding', score: 0.8, reasons: ['HOARDING.RESELLABLE_QUANTITY'] };
    writeFileSync(join(dir, 'flags.json'), JSON.stringify({ flags: [rulesFlag] }));
    const stored: Flag[] = [];
    const p = createModelProcessor({ forest: null, logger: silentLogger, onFlags: async (f) => void stored.push(...f) });
    const events = farmEvents();
    await p.process(events.slice(0, 5));
    await p.process(events.slice(3)); // redelivered events change nothing
    await p.finish!(dir);
    const flags = (JSON.parse(readFileSync(join(dir, 'flags.json'), 'utf8')) as { flags: Flag[] }).flags;
    expect(flags[0]).toEqual(rulesFlag);
    const ring = flags.find((f) => f.entityType === 'ring')!;
    expect(ring.fraudType).toBe('bot_claiming');
    expect(ring.members!.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `usr_farm${i}`).sort());
    expect(ring).not.toHaveProperty('evidence');
    const withEvidence = JSON.parse(readFileSync(join(dir, 'model-flags.json'), 'utf8')).flags[0];
    expect(withEvidence.evidence.figures.maxAccountsPerDevice).toBe(6);
    expect(stored).toHaveLength(1);
  });
});
