// The merchant-risk forest: training on a bounded, stratified sample, scoring by counting every
// tree's vote, and a versioned model file.
// Two limits of ml-random-forest 2.1 shape this file (DEPENDENCIES.md): training time grows with
// the square of the rows, so the training set is capped per class; and predictProbability starts
// its reduce without an initial value, so the first tree's raw label stands in for its vote (ten
// trees all voting 1 give 0.900001). We read predictionValues and count the votes ourselves.
import { RandomForestClassifier } from 'ml-random-forest';
import { z } from 'zod';
import { FRAUD_TYPES, type FraudType } from '../../core/events.ts';
import { Rng } from '../../core/rng.ts';
import { FEATURE_NAMES } from './features.ts';

/** Class 0 is legitimate; class i (1..5) is FRAUD_TYPES[i - 1]. */
export const CLASSES = ['legitimate', ...FRAUD_TYPES] as const;
export type ClassName = (typeof CLASSES)[number];

export const MODEL_FORMAT = 'quanguard.merchant-forest';

export interface TrainOptions {
  seed: number;
  nEstimators: number;
  maxDepth: number;
  maxFeatures: number;
  /** Cap on rows per class: keeps training time bounded (it grows with rows squared). */
  maxRowsPerClass: number;
  /** Cap on legitimate rows as a multiple of the fraud rows kept. */
  legitimatePerFraud: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { seed: 1, nEstimators: 60, maxDepth: 8, maxFeatures: 0.6, maxRowsPerClass: 600, legitimatePerFraud: 4 };

export interface LabelledRow {
  id: string;
  values: number[];
  label: ClassName;
}

export const metricsSchema = z.object({
  rows: z.number().int(),
  rowsPerClass: z.record(z.string(), z.number().int()),
  trainingMs: z.number(),
  evaluation: z
    .object({ seed: z.string(), precision: z.number(), recall: z.number(), rows: z.number().int() })
    .optional(),
});

export const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.string().regex(/^merchant-risk@\d+$/, { error: 'must look like merchant-risk@N' }),
  featureNames: z.array(z.string()),
  classes: z.array(z.string()),
  trainingSeed: z.number().int(),
  trainedOn: z.string(),
  options: z.record(z.string(), z.number()),
  metrics: metricsSchema,
  forest: z.object({ name: z.literal('RFClassifier'), baseModel: z.record(z.string(), z.unknown()) }),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

export interface MerchantForest {
  file: ModelFile;
  classifier: RandomForestClassifier;
}

/** Keeps every class but caps each, sampling with the seed so the same data gives the same set. */
export function stratify(rows: readonly LabelledRow[], opts: Pick<TrainOptions, 'seed' | 'maxRowsPerClass' | 'legitimatePerFraud'>): LabelledRow[] {
  const rng = new Rng(`stratify:${opts.seed}`);
  const byClass = new Map<ClassName, LabelledRow[]>();
  for (const r of rows) (byClass.get(r.label) ?? byClass.set(r.label, []).get(r.label)!).push(r);
  const out: LabelledRow[] = [];
  let fraud = 0;
  for (const [label, list] of byClass) {
    if (label === 'legitimate') continue;
    const kept = rng.shuffle([...list]).slice(0, opts.maxRowsPerClass);
    fraud += kept.length;
    out.push(...kept);
  }
  const legit = byClass.get('legitimate') ?? [];
  const legitCap = Math.min(opts.maxRowsPerClass * CLASSES.length, Math.max(opts.maxRowsPerClass, fraud * opts.legitimatePerFraud));
  out.push(...rng.shuffle([...legit]).slice(0, legitCap));
  return rng.shuffle(out);
}

export function trainForest(rows: readonly LabelledRow[], options: Partial<TrainOptions> & { version: string; trainedOn: string }): MerchantForest {
  const opts = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const sample = stratify(rows, opts);
  const present = new Set(sample.map((r) => r.label));
  if (present.size < 2) throw new Error(`models/forest: training needs at least two classes, got ${[...present].join(', ') || 'none'}`);
  const started = performance.now();
  const classifier = new RandomForestClassifier({
    seed: opts.seed,
    nEstimators: opts.nEstimators,
    maxFeatures: opts.maxFeatures,
    replacement: false,
    useSampleBagging: true,
    noOOB: true,
    treeOptions: { maxDepth: opts.maxDepth, minNumSamples: 3 },
  });
  classifier.train(
    sample.map((r) => r.values),
    sample.map((r) => CLASSES.indexOf(r.label)),
  );
  const trainingMs = performance.now() - started;
  const rowsPerClass: Record<string, number> = {};
  for (const r of sample) rowsPerClass[r.label] = (rowsPerClass[r.label] ?? 0) + 1;
  const file: ModelFile = {
    format: MODEL_FORMAT,
    version: options.version,
    featureNames: [...FEATURE_NAMES],
    classes: [...CLASSES],
    trainingSeed: opts.seed,
    trainedOn: options.trainedOn,
    options: { nEstimators: opts.nEstimators, maxDepth: opts.maxDepth, maxFeatures: opts.maxFeatures, maxRowsPerClass: opts.maxRowsPerClass, legitimatePerFraud: opts.legitimatePerFraud },
    metrics: { rows: sample.length, rowsPerClass, trainingMs: Math.round(trainingMs) },
    forest: classifier.toJSON() as unknown as ModelFile['forest'],
  };
  return { file, classifier };
}

/** Share of trees voting for each class, every tree counted once. */
export function voteShares(classifier: RandomForestClassifier, rows: readonly number[][]): number[][] {
  if (rows.length === 0) return [];
  const votes = classifier.predictionValues(rows as number[][]);
  const out: number[][] = [];
  for (let i = 0; i < votes.rows; i++) {
    const row = votes.getRow(i);
    const counts = new Array<number>(CLASSES.length).fill(0);
    for (const v of row) if (v >= 0 && v < CLASSES.length) counts[v]!++;
    out.push(counts.map((c) => c / row.length));
  }
  return out;
}

export interface MerchantScore {
  merchantId: string;
  /** 1 - share of trees voting legitimate. */
  risk: number;
  /** The fraud class with the most votes, and its share. */
  fraudType: FraudType;
  fraudShare: number;
  shares: Record<ClassName, number>;
}

export function scoreMerchants(forest: MerchantForest, features: ReadonlyArray<{ merchantId: string; values: number[] }>): MerchantScore[] {
  const shares = voteShares(forest.classifier, features.map((f) => f.values));
  return features.map((f, i) => {
    const s = shares[i]!;
    let best = 1;
    for (let c = 2; c < CLASSES.length; c++) if (s[c]! > s[best]!) best = c;
    return {
      merchantId: f.merchantId,
      risk: 1 - s[0]!,
      fraudType: CLASSES[best] as FraudType,
      fraudShare: s[best]!,
      shares: Object.fromEntries(CLASSES.map((c, k) => [c, s[k]!])) as Record<ClassName, number>,
    };
  });
}

export function serializeModel(forest: MerchantForest): string {
  return JSON.stringify(forest.file);
}

/** Parses and checks a model file; refuses one written for a different feature layout. */
export function loadModel(text: string): MerchantForest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`models/forest: model file is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = modelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`models/forest: model file field ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  const file = parsed.data;
  if (file.featureNames.join(',') !== FEATURE_NAMES.join(','))
    throw new Error(`models/forest: model ${file.version} was trained on features [${file.featureNames.join(', ')}], this code computes [${FEATURE_NAMES.join(', ')}]: retrain with \`quanguard train\``);
  if (file.classes.join(',') !== CLASSES.join(',')) throw new Error(`models/forest: model ${file.version} has classes [${file.classes.join(', ')}], expected [${CLASSES.join(', ')}]`);
  const classifier = RandomForestClassifier.load(file.forest as unknown as Parameters<typeof RandomForestClassifier.load>[0]);
  return { file, classifier };
}
