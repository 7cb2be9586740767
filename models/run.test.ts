import { describe, expect, it } from 'vitest';
import { buildGraph } from './graph/build.ts';
import { detectRings } from './graph/rings.ts';
import { readModelFile } from './model-file.ts';
import { runModels, runModelsConcurrent } from './run.ts';
import { FEATURE_NAMES } from './merchant/features.ts';
import { addBotFarm, addHonestUsers, baseWindow, ringedWindow } from './testing/window-fixtures.ts';


describe('runModelsConcurrent (Louvain on a worker thread)', () => {
  const forest = readModelFile() ?? undefined;

  it('gives the same flags, rings, features, scores and baselines as runModels, Louvain run on the worker', async () => {
    const w = ringedWindow();
    for (const seed of [1, 7]) {
      const plain = runModels(w, { seed, forest });
      const concurrent = await runModelsConcurrent(w, { seed, forest });
      expect(concurrent.louvainWorkerMs).toBeGreaterThanOrEqual(0);
      // A Louvain community yields a candidate on this window (so the worker's partition is used).
      expect(detectRings(buildGraph(w), { seed }).some((c) => c.source === 'merchant_community')).toBe(true);
      expect(concurrent.flags).toEqual(plain.flags);
      expect(JSON.stringify(concurrent.flags)).toBe(JSON.stringify(plain.flags));
      expect(concurrent.rings).toEqual(plain.rings);
      expect(concurrent.features).toEqual(plain.features);
      expect(concurrent.merchantScores).toEqual(plain.merchantScores);
      expect(concurrent.baselines).toEqual(plain.baselines);
      expect(concurrent.stats).toEqual(plain.stats);
      // The ring features are added after the rings: the ring's shop has them.
      const share = FEATURE_NAMES.indexOf('ringMemberShare');
      expect(concurrent.features.find((f) => f.merchantId === 'mch_5')!.values[share]).toBeGreaterThan(0);
    }
  });

  it('does not run Louvain without a merchant of card-sharing customers, and still matches runModels', async () => {
    const w = baseWindow();
    addHonestUsers(w, 200);
    addBotFarm(w, 30, 2);
    const plain = runModels(w, { seed: 1, forest });
    const concurrent = await runModelsConcurrent(w, { seed: 1, forest });
    expect(concurrent.louvainWorkerMs).toBeUndefined();
    expect(plain.flags.length).toBeGreaterThan(0);
    expect(JSON.stringify(concurrent.flags)).toBe(JSON.stringify(plain.flags));
    expect(concurrent.features).toEqual(plain.features);
  });
});
