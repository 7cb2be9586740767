// The graph and forest models on the simulator's `small` scenario: train the merchant forest on one
// seed, run everything on another, and hold the models to the bar for what they own (the
// ring types and the merchant types), with legitimate users and merchants almost never flagged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEventLine } from '../../core/events.ts';
import { entityMetrics } from '../../models/eval/entity-metrics.ts';
import { loadModel, serializeModel, trainForest } from '../../models/merchant/forest.ts';
import { runModels } from '../../models/run.ts';
import { WindowBuilder } from '../../models/window-builder.ts';
import type { ModelWindow } from '../../models/window.ts';
import { simulate } from '../../simulator/simulate.ts';
import type { Labels } from '../../simulator/labels.ts';

const spill = mkdtempSync(join(tmpdir(), 'qg-models-scenario-'));
afterAll(() => rmSync(spill, { recursive: true, force: true }));

async function scenario(seed: number): Promise<{ window: ModelWindow; labels: Labels }> {
  const sim = await simulate({ seed, scale: 'small', hmacSecret: 'scenario-test-secret-0123456789', spillDir: join(spill, String(seed)) });
  const b = new WindowBuilder();
  let rest = '';
  for (const chunk of sim.chunks()) {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const p = line.trim() ? parseEventLine(line) : undefined;
      if (p?.ok) b.add(p.event);
    }
  }
  if (rest.trim()) {
    const p = parseEventLine(rest);
    if (p.ok) b.add(p.event);
  }
  return { window: b.build(), labels: sim.labels };
}

describe('models on the small scenario (trained on seed 3, judged on seed 4)', () => {
  it('finds the rings and risky merchants with few legitimate entities flagged', async () => {
    const train = await scenario(3);
    const trainRun = runModels(train.window, { seed: 1 });
    const forest = loadModel(serializeModel(trainForest(
      trainRun.features.map((f) => ({ id: f.merchantId, values: f.values, label: train.labels.merchants[f.merchantId] ?? 'legitimate' })),
      { version: 'merchant-risk@1', trainedOn: 'small seed 3', seed: 1, nEstimators: 40 },
    )));

    const test = await scenario(4);
    const run = runModels(test.window, { seed: 1, forest });
    const { perType, legitimateFlagged } = entityMetrics(run.flags, test.labels);
    const by = Object.fromEntries(perType.map((t) => [t.fraudType, t]));
    for (const t of ['bot_claiming', 'cash_out', 'subsidy_fraud'] as const) {
      expect(by[t]!.recall, `${t} recall`).toBeGreaterThanOrEqual(0.95);
      expect(by[t]!.precision, `${t} precision`).toBeGreaterThanOrEqual(0.9);
    }
    const population = (test.labels.population?.users ?? 0) + (test.labels.population?.merchants ?? 0);
    expect(population).toBeGreaterThan(1000);
    expect(legitimateFlagged / population).toBeLessThan(0.005);
    // Every ring carries its evidence: the figures and the edges that made the case.
    for (const r of run.rings) {
      expect(r.members.length).toBeGreaterThan(0);
      expect(r.evidence.edges.length).toBeGreaterThan(0);
    }
  });
});
