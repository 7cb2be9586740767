// The embedded, in-process EventBus: the default when no Kafka is configured. Same contract as the
// Kafka bus (ingest/bus/bus-contract.ts): keyed partitions, consumer groups with committed offsets,
// commit only after handleBatch resolves, redelivery of the same batch when it rejects. Nothing
// survives the process: durability comes from the store the consumer writes to.
import type { BusMessage, EventBus, OutgoingMessage, SubscribeOptions, Subscription } from '../../core/bus.ts';
import { AppError, invalid } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { EmbeddedTopic, type GroupState, type Member } from './embedded-topic.ts';
import { backoffMs, checkPublish, checkSubscribe, type CheckedSubscribe } from './options.ts';

export interface EmbeddedBusOptions {
  /** Partitions per topic (default 8). */
  partitions?: number;
  /** Messages held per topic before publish waits (default 100,000). */
  capacity?: number;
  logger?: Logger;
  /** Backoff after a rejected batch: starts at initialMs, doubles, capped at maxMs. */
  retryBackoff?: { initialMs: number; maxMs: number };
}

export interface EmbeddedBus extends EventBus {
  readonly backend: 'embedded';
  /** Buffer state of a topic, for tests and metrics. */
  stats(topic: string): { buffered: number; waitingPublishers: number };
}

export function createEmbeddedBus(opts: EmbeddedBusOptions = {}): EmbeddedBus {
  const partitions = opts.partitions ?? 8;
  const capacity = opts.capacity ?? 100_000;
  if (!Number.isInteger(partitions) || partitions < 1) throw invalid('partitions', 'must be an integer of at least 1');
  if (!Number.isInteger(capacity) || capacity < 1) throw invalid('capacity', 'must be an integer of at least 1');
  const logger = opts.logger ?? silentLogger;
  const backoff = opts.retryBackoff ?? { initialMs: 50, maxMs: 5_000 };
  const topics = new Map<string, EmbeddedTopic>();
  const subscriptions = new Set<EmbeddedSubscription>();
  let closed = false;
  let nextMemberId = 1;

  const topicOf = (name: string): EmbeddedTopic => {
    let t = topics.get(name);
    if (!t) {
      t = new EmbeddedTopic(name, partitions, capacity);
      topics.set(name, t);
    }
    return t;
  };
  const ensureOpen = () => {
    if (closed) throw new AppError('UNAVAILABLE', 'embedded bus is closed', { retryable: false });
  };

  return {
    backend: 'embedded',
    async publish(topic: string, messages: OutgoingMessage[]) {
      ensureOpen();
      checkPublish(topic, messages);
      await topicOf(topic).publish(messages);
    },
    async subscribe(raw: SubscribeOptions): Promise<Subscription> {
      ensureOpen();
      const sub = new EmbeddedSubscription(nextMemberId++, topicOf(raw.topic), checkSubscribe(raw), logger, backoff);
      subscriptions.add(sub);
      sub.start();
      return {
        stop: async () => {
          await sub.stop();
          subscriptions.delete(sub);
        },
      };
    },
    async lag(topic: string, groupId: string) {
      return topics.get(topic)?.lag(groupId) ?? 0;
    },
    stats(topic: string) {
      const t = topics.get(topic);
      return { buffered: t?.buffered ?? 0, waitingPublishers: t?.waitingPublishers ?? 0 };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      subscriptions.clear();
      for (const t of topics.values()) t.close();
    },
  };
}

interface Pending {
  batch: BusMessage[];
  /** Next offset to commit per partition once the batch succeeds. */
  next: Map<number, number>;
}

class EmbeddedSubscription implements Member {
  private running = true;
  private loop: Promise<void> | undefined;
  private readonly group: GroupState;
  private readonly signal: { wake?: () => void } = {};
  private rotate = 0;

  constructor(
    readonly id: number,
    private readonly topic: EmbeddedTopic,
    private readonly opts: CheckedSubscribe,
    private readonly logger: Logger,
    private readonly backoff: { initialMs: number; maxMs: number },
  ) {
    this.group = topic.group(opts.groupId, opts.fromBeginning);
  }

  start(): void {
    this.group.members.push(this);
    this.topic.notifyData(); // other members re-read their assignment
    this.loop = this.run().catch((err: unknown) => {
      this.logger.error('embedded bus: consumer stopped by an unexpected error', { topic: this.topic.name, groupId: this.opts.groupId, err });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signal.wake?.();
    await this.loop;
    const idx = this.group.members.indexOf(this);
    if (idx >= 0) this.group.members.splice(idx, 1);
    this.topic.notifyData();
  }

  private async run(): Promise<void> {
    let failures = 0;
    let pending: Pending | null = null;
    while (this.running) {
      pending ??= await this.collect();
      if (!pending) break;
      try {
        await this.opts.handleBatch(pending.batch);
      } catch (err) {
        failures++;
        const waitMs = backoffMs(failures, this.backoff.initialMs, this.backoff.maxMs);
        this.logger.warn('embedded bus: handleBatch failed, the batch will be delivered again', {
          topic: this.topic.name, groupId: this.opts.groupId, size: pending.batch.length, failures, retryInMs: waitMs, err,
        });
        if (this.running) await this.sleep(waitMs);
        if (!this.running || !this.stillOwns(pending)) {
          this.release(pending);
          pending = null;
        }
        continue;
      }
      failures = 0;
      this.release(pending);
      this.topic.commit(this.group, pending.next);
      pending = null;
      // Yield to timers and I/O between batches even when the handler resolves synchronously.
      await new Promise<void>((r) => setImmediate(r));
    }
    if (pending) this.release(pending);
  }

  /** A backoff that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.signal;
      function done() {
        clearTimeout(t);
        signal.wake = undefined;
        resolve();
      }
      signal.wake = done;
    });
  }

  private stillOwns(p: Pending): boolean {
    const mine = new Set(this.group.assigned(this));
    for (const part of p.next.keys()) if (!mine.has(part)) return false;
    return true;
  }

  private release(p: Pending): void {
    for (const part of p.next.keys()) if (this.group.busy[part] === this) this.group.busy[part] = null;
  }

  /** Gathers up to maxBatchSize messages from owned partitions, waiting at most maxWaitMs to fill. */
  private async collect(): Promise<Pending | null> {
    const { maxBatchSize, maxWaitMs } = this.opts;
    const batch: BusMessage[] = [];
    const next = new Map<number, number>();
    let deadline = 0;
    while (this.running) {
      const owned = this.group.assigned(this);
      const n = owned.length;
      for (let k = 0; k < n && batch.length < maxBatchSize; k++) {
        const p = owned[(k + this.rotate) % n]!;
        const holder = this.group.busy[p];
        if (holder && holder !== this) continue;
        const log = this.topic.logs[p]!;
        let off = next.get(p) ?? this.group.committed[p]!;
        const end = log.end;
        if (off >= end) continue;
        this.group.busy[p] = this;
        while (off < end && batch.length < maxBatchSize) batch.push(log.at(off++)!);
        next.set(p, off);
      }
      if (batch.length >= maxBatchSize) break;
      if (batch.length > 0 && deadline === 0) deadline = Date.now() + maxWaitMs;
      if (batch.length > 0 && Date.now() >= deadline) break;
      await this.topic.waitForData(batch.length > 0 ? deadline - Date.now() : null, this.signal);
    }
    this.rotate++;
    if (!this.running) {
      // Nothing was handed over yet: release without committing, the group reads it again later.
      this.release({ batch, next });
      for (const p of this.group.busy.keys()) if (this.group.busy[p] === this) this.group.busy[p] = null;
      return null;
    }
    return { batch, next };
  }
}
