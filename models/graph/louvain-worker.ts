// Louvain on its own thread, beside the main thread's ring and merchant scoring (runModelsConcurrent).
// The thread is started before the graph is built so that loading its modules overlaps the build;
// it is sent copies of the edge arrays (~16 bytes an edge) and answers with one community number
// per node: the same louvainMapping over the same arrays and seed as on the main thread, so the same
// partition (louvain-worker.test.ts).
import { Worker } from 'node:worker_threads';
import type { LouvainInput } from './louvain-core.ts';
import type { LouvainReply, LouvainRequest } from './louvain-thread.ts';

export class LouvainWorker {
  private readonly worker: Worker;
  private failure: Error | undefined;
  private waiting: { resolve(r: { mapping: Int32Array; ms: number }): void; reject(e: Error): void } | undefined;

  constructor() {
    this.worker = new Worker(new URL('./louvain-thread.js', import.meta.url));
    this.worker.on('message', (reply: LouvainReply) => {
      const w = this.waiting;
      this.waiting = undefined;
      if (!w) return;
      if (reply.ok) w.resolve({ mapping: reply.mapping, ms: reply.ms });
      else w.reject(new Error(`models/louvain thread: ${reply.message}`));
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      this.waiting?.reject(err);
      this.waiting = undefined;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`models/louvain thread stopped (exit code ${code})`)));
  }

  /** One request at a time. The arrays are copied to their exact length and handed over. */
  run(input: LouvainInput, options: { seed: number | string; resolution?: number }): Promise<{ mapping: Int32Array; ms: number }> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('models/louvain thread: one request at a time'));
    const copy: LouvainInput = { order: input.order, edgeSource: input.edgeSource.slice(), edgeTarget: input.edgeTarget.slice(), edgeWeight: input.edgeWeight.slice() };
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      const req: LouvainRequest = { input: copy, seed: options.seed, resolution: options.resolution };
      this.worker.postMessage(req, [copy.edgeSource.buffer as ArrayBuffer, copy.edgeTarget.buffer as ArrayBuffer, copy.edgeWeight.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('models/louvain thread closed');
    await this.worker.terminate();
  }
}
