// The Louvain worker thread: takes a graph's node count and edge arrays with a seed, answers with
// each node's community (louvainMapping, the same function the main thread runs when alone).
import { parentPort } from 'node:worker_threads';
import { louvainMapping, type LouvainInput } from './louvain-core.ts';

export interface LouvainRequest {
  input: LouvainInput;
  seed: number | string;
  resolution?: number;
}

export type LouvainReply = { ok: true; mapping: Int32Array; ms: number } | { ok: false; message: string };

parentPort!.on('message', (req: LouvainRequest) => {
  try {
    const t0 = performance.now();
    const mapping = louvainMapping(req.input, { seed: req.seed, resolution: req.resolution });
    parentPort!.postMessage({ ok: true, mapping, ms: performance.now() - t0 } satisfies LouvainReply, [mapping.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ ok: false, message: (err as Error).stack ?? String(err) } satisfies LouvainReply);
  }
});
