import { describe, expect, it } from 'vitest';
import { memoryEngine } from '../rules/engine/engine.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { benchTraffic } from './_decide-events.ts';

async function outcomes(ids: 'service' | 'short'): Promise<string[]> {
  const { setup, stream } = benchTraffic(3, 6_000, { ids });
  const engine = memoryEngine(loadRuleset(), { idSeed: 3 });
  for (const e of setup) await engine.process(e);
  const out: string[] = [];
  for (const e of stream) {
    const d = (await engine.process(e)).decision!;
    out.push(`${d.decision} ${d.score} ${d.reasons.join(',')}`);
  }
  return out;
}

describe('bench traffic', () => {
  const benchTrafficShort = benchTraffic(3, 6_000, { ids: 'short' }).stream;
  it('service-shaped ids are as long as the simulator makes them, and unique where they must be', () => {
    const { stream } = benchTraffic(3, 6_000);
    const claim = stream.find((e) => e.type === 'claim')!;
    expect(claim.eventId).toHaveLength(26);
    expect(claim.userId).toMatch(/^usr_\d{7}$/);
    expect(claim.deviceId).toMatch(/^dev_[0-9a-f]{12}$/);
    expect(new Set(stream.map((e) => e.eventId)).size).toBe(stream.length);
    // Devices map one to one between the shapes: two users never share a device they did not share.
    const pairs = new Set(stream.map((e, i) => `${e.deviceId} ${benchTrafficShort[i]!.deviceId}`));
    expect(new Set(stream.map((e) => e.deviceId)).size).toBe(pairs.size);
    expect(new Set(benchTrafficShort.map((e) => e.deviceId)).size).toBe(pairs.size);
  });

  it('only the ids change between shapes: the same decisions, event by event', async () => {
    const [service, short] = [await outcomes('service'), await outcomes('short')];
    expect(service.filter((d) => !d.startsWith('allow')).length).toBeGreaterThan(100);
    expect(service).toEqual(short);
  }, 60_000);
});
