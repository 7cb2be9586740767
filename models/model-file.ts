// Where the merchant-risk model lives and how it is read at start. The file is versioned data in
// the repository (models/artifacts/), produced by `quanguard train`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type MerchantForest } from './merchant/forest.ts';

export const DEFAULT_MODEL_PATH = join(dirname(fileURLToPath(import.meta.url)), 'artifacts', 'merchant-risk.json');

/** The model at `path`, or null when there is no file (the ring models still run without it). */
export function readModelFile(path = DEFAULT_MODEL_PATH): MerchantForest | null {
  if (!existsSync(path)) return null;
  return loadModel(readFileSync(path, 'utf8'));
}
