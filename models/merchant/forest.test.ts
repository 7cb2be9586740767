import { describe, expect, it } from 'vitest';
import { RandomForestClassifier } from 'ml-random-forest';
import { Rng } from '../../core/rng.ts';
import { FEATURE_NAMES } from './features.ts';
import { CLASSES, loadModel, scoreMerchants, serializeModel, stratify, trainForest, voteShares, type LabelledRow } from './forest.ts';

// Separable rows: cash-out merchants have a high hugging share (feature 4), everything else is noise.
function rows(n: number, seed: number): LabelledRow[] {
  const rng = new Rng(seed);
  const hug = FEATURE_NAMES.indexOf('thresholdHuggingShare');
  return Array.from({ length: n }, (_, i) => {
    const fraud = i % 5 === 0;
    const values = FEATURE_NAMES.map(() => rng.next());
    values[hug] = fraud ? 0.8 + 0.2 * rng.next() : 0.3 * rng.next();
    return { id: `mch_${i}`, values, label: fraud ? 'cash_out' : 'legitimate' };
  });
}

describe('merchant forest', () => {
  it('counts every tree, where predictProbability drops the first tree\'s vote', () => {
    const X = [[0, 0], [0, 1], [1, 0], [1, 1], [0.1, 0.1], [0.9, 0.9]];
    const y = [1, 1, 1, 1, 1, 1];
    const rf = new RandomForestClassifier({ nEstimators: 10, seed: 3, noOOB: true });
    rf.train(X, y);
    // Every tree votes 1, yet the library reports 0.900001: its reduce starts from the first raw label.
    expect(rf.predictProbability([[0.5, 0.5]], 1)[0]).toBeCloseTo(0.900001, 6);
    expect(voteShares(rf, [[0.5, 0.5]])[0]![1]).toBe(1);
  });

  it('learns a separable pattern and scores a held-out set from another seed', () => {
    const forest = trainForest(rows(400, 1), { version: 'merchant-risk@1', trainedOn: 'unit', seed: 5, nEstimators: 20 });
    const test = rows(200, 2);
    const scores = scoreMerchants(forest, test.map((r) => ({ merchantId: r.id, values: r.values })));
    const correct = scores.filter((s, i) => (s.risk >= 0.5) === (test[i]!.label !== 'legitimate')).length;
    expect(correct / test.length).toBeGreaterThan(0.95);
    expect(scores.find((s) => s.risk >= 0.5)!.fraudType).toBe('cash_out');
  });

  it('round-trips through its model file and votes the same', () => {
    const forest = trainForest(rows(200, 3), { version: 'merchant-risk@7', trainedOn: 'unit', seed: 9, nEstimators: 12 });
    const loaded = loadModel(serializeModel(forest));
    expect(loaded.file.version).toBe('merchant-risk@7');
    expect(loaded.file.trainingSeed).toBe(9);
    expect(loaded.file.featureNames).toEqual([...FEATURE_NAMES]);
    const probe = rows(50, 4).map((r) => r.values);
    expect(voteShares(loaded.classifier, probe)).toEqual(voteShares(forest.classifier, probe));
  });

  it('refuses a model file trained on another feature layout, naming what to do', () => {
    const forest = trainForest(rows(100, 3), { version: 'merchant-risk@1', trainedOn: 'unit', seed: 9, nEstimators: 4 });
    const file = { ...forest.file, featureNames: ['a', 'b'] };
    expect(() => loadModel(JSON.stringify(file))).toThrow(/retrain/);
    expect(() => loadModel('{"format":"nope"}')).toThrow(/field format/);
  });

  it('caps each class when stratifying and keeps every fraud class', () => {
    const many: LabelledRow[] = [
      ...Array.from({ length: 1000 }, (_, i) => ({ id: `l${i}`, values: [0], label: 'legitimate' as const })),
      ...Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, values: [1], label: 'cash_out' as const })),
      ...Array.from({ length: 300 }, (_, i) => ({ id: `p${i}`, values: [2], label: 'price_gouging' as const })),
    ];
    const s = stratify(many, { seed: 1, maxRowsPerClass: 100, legitimatePerFraud: 2 });
    const count = (l: string) => s.filter((r) => r.label === l).length;
    expect(count('cash_out')).toBe(30);
    expect(count('price_gouging')).toBe(100);
    expect(count('legitimate')).toBe(260);
    expect(CLASSES[0]).toBe('legitimate');
  });
});
