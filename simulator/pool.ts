// Worker threads for the simulator: tasks go to idle workers in the order they were submitted,
// so the biggest shard (submitted first) starts first and the rest balance themselves.
import { Worker } from 'node:worker_threads';
import type { ResolvedOptions } from './options.ts';
import type { WorkerTask } from './worker.ts';

interface Pending {
  task: WorkerTask;
  transfer: ArrayBuffer[];
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class SimulatorPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private failure?: Error;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: { ok: boolean; value?: unknown; message?: string; stack?: string }) => {
        const p = this.busy.get(w);
        this.busy.delete(w);
        this.idle.push(w);
        if (p) {
          if (m.ok) p.resolve(m.value);
          else p.reject(Object.assign(new Error(m.message), { stack: m.stack }));
        }
        this.dispatch();
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`simulator: worker stopped with code ${code}`));
      });
      this.idle.push(w);
    }
  }

  static start(threads: number, options: ResolvedOptions, spillRoot: string): SimulatorPool {
    const url = new URL('./worker.js', import.meta.url);
    return new SimulatorPool(Array.from({ length: threads }, () => new Worker(url, { workerData: { options, spillRoot } })));
  }

  run<T>(task: WorkerTask, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ task, transfer, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.shift()!;
      const p = this.queue.shift()!;
      this.busy.set(w, p);
      w.postMessage(p.task, p.transfer);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of [...this.busy.values(), ...this.queue]) p.reject(err);
    this.busy.clear();
    this.queue.length = 0;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('simulator: pool closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
