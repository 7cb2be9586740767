// One topic of the embedded bus: partitioned in-memory logs, consumer-group offsets, retention and
// back-pressure. The buffer is bounded by `capacity` messages; a message leaves memory once every
// group has committed past it, and publishers wait (FIFO) while the buffer is full rather than
// growing without limit or dropping.
import type { BusMessage, OutgoingMessage } from '../../core/bus.ts';
import { AppError } from '../../core/errors.ts';
import { partitionFor } from './partition.ts';

class PartitionLog {
  /** messages[head] has offset `start`; everything before head is already dropped. */
  messages: BusMessage[] = [];
  head = 0;
  start = 0;

  get end(): number {
    return this.start + this.messages.length - this.head;
  }

  at(offset: number): BusMessage | undefined {
    return this.messages[this.head + offset - this.start];
  }

  dropBefore(offset: number): number {
    const n = Math.min(offset, this.end) - this.start;
    if (n <= 0) return 0;
    this.head += n;
    this.start += n;
    // Compact now and then so dropped messages can be collected without copying on every commit.
    if (this.head > 4096 && this.head * 2 > this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.head = 0;
    }
    return n;
  }
}

export interface Member {
  readonly id: number;
}

export class GroupState {
  readonly committed: number[];
  /** Which member currently reads a partition: a partition moves to a new owner only when free. */
  readonly busy: (Member | null)[];
  readonly members: Member[] = [];

  constructor(start: number[]) {
    this.committed = start;
    this.busy = start.map(() => null);
  }

  assigned(member: Member): number[] {
    const idx = this.members.indexOf(member);
    if (idx < 0) return [];
    const out: number[] = [];
    for (let p = 0; p < this.committed.length; p++) if (p % this.members.length === idx) out.push(p);
    return out;
  }
}

export class EmbeddedTopic {
  readonly logs: PartitionLog[];
  readonly groups = new Map<string, GroupState>();
  private retained = 0;
  private readonly roomQueue: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private dataWaiters = new Set<() => void>();
  private closed = false;

  constructor(readonly name: string, partitions: number, private readonly capacity: number) {
    this.logs = Array.from({ length: partitions }, () => new PartitionLog());
  }

  get buffered(): number {
    return this.retained;
  }

  get waitingPublishers(): number {
    return this.roomQueue.length;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    // FIFO: a newcomer queues behind waiting publishers; one that was already waiting keeps its place.
    let queued = false;
    let mayAppend = this.roomQueue.length === 0;
    let i = 0;
    while (i < messages.length) {
      if (this.closed) throw new AppError('UNAVAILABLE', `embedded bus: topic ${this.name} is closed`, { retryable: false });
      if (!mayAppend || this.retained >= this.capacity) {
        await new Promise<void>((resolve, reject) => (queued ? this.roomQueue.unshift({ resolve, reject }) : this.roomQueue.push({ resolve, reject })));
        queued = true;
        mayAppend = true;
        continue;
      }
      const n = Math.min(this.capacity - this.retained, messages.length - i);
      for (const end = i + n; i < end; i++) this.append(messages[i]!);
      this.retained += n;
      this.notifyData();
    }
    if (this.retained < this.capacity) this.roomQueue.shift()?.resolve();
  }

  private append(m: OutgoingMessage): void {
    const partition = partitionFor(m.key, this.logs.length);
    const log = this.logs[partition]!;
    const msg: BusMessage = { topic: this.name, partition, offset: String(log.end), key: m.key, value: m.value };
    if (m.headers) msg.headers = m.headers;
    log.messages.push(msg);
  }

  group(groupId: string, fromBeginning: boolean): GroupState {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new GroupState(this.logs.map((l) => (fromBeginning ? l.start : l.end)));
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** Commits `next` offsets (exclusive) for a group, then drops what every group has passed. */
  commit(g: GroupState, next: Map<number, number>): void {
    for (const [p, off] of next) if (off > g.committed[p]!) g.committed[p] = off;
    let dropped = 0;
    for (const p of next.keys()) {
      let min = Infinity;
      for (const other of this.groups.values()) min = Math.min(min, other.committed[p]!);
      dropped += this.logs[p]!.dropBefore(min);
    }
    if (dropped > 0) {
      this.retained -= dropped;
      if (this.retained < this.capacity) this.roomQueue.shift()?.resolve();
    }
  }

  lag(groupId: string): number {
    const g = this.groups.get(groupId);
    let lag = 0;
    for (let p = 0; p < this.logs.length; p++) lag += this.logs[p]!.end - (g ? g.committed[p]! : this.logs[p]!.start);
    return lag;
  }

  /** Resolves on the next publish or membership change, or after `timeoutMs`. */
  waitForData(timeoutMs: number | null, signal: { wake?: () => void }): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.dataWaiters.delete(done);
        signal.wake = undefined;
        resolve();
      };
      this.dataWaiters.add(done);
      signal.wake = done;
      if (timeoutMs !== null) timer = setTimeout(done, Math.max(0, timeoutMs));
    });
  }

  notifyData(): void {
    if (this.dataWaiters.size === 0) return;
    const waiters = this.dataWaiters;
    this.dataWaiters = new Set();
    for (const w of waiters) w();
  }

  close(): void {
    this.closed = true;
    const err = new AppError('UNAVAILABLE', `embedded bus: topic ${this.name} is closed`, { retryable: false });
    for (const w of this.roomQueue.splice(0)) w.reject(err);
    this.notifyData();
  }
}
