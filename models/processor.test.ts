import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Flag } from '../core/decision.ts';
import { silentLogger } from '../core/logger.ts';
import { createModelProcessor } from './processor.ts';
import { farmEvents } from './testing/farm-events.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
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
