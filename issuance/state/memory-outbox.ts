// The in-process outbox with Redis Streams consumer-group semantics: read marks an entry pending
// for the consumer; only ack removes it from the pending list; stale pending entries can be claimed.
// Calls that moved a group are reported to `record` (the owning store's journal); appends are part
// of the store call that made them.
import type { Clock } from '../../core/clock.ts';
import type { Outbox, OutboxEntry } from './outbox.ts';

interface Group {
  nextIndex: number;
  pending: Map<string, { consumer: string; deliveredAtMs: number; index: number }>;
}

interface Stream {
  /** entries[i] has the absolute index dropped + i; groups keep absolute indexes. */
  dropped: number;
  entries: { id: string; eventJson: string }[];
  groups: Map<string, Group>;
}

export class MemoryOutbox implements Outbox {
  private readonly byName = new Map<string, Stream>();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly record: (op: string, args: unknown[]) => void = () => {},
  ) {}

  state(): { byName: Map<string, Stream>; seq: number } {
    return { byName: this.byName, seq: this.seq };
  }

  restore(state: { byName: Map<string, Stream>; seq: number }): void {
    this.byName.clear();
    for (const [k, v] of state.byName) this.byName.set(k, v);
    this.seq = state.seq;
  }

  /** Replays a recorded call (the owner has turned recording off and set the clock to its time). */
  apply(op: string, args: unknown[]): void {
    const [stream, group, a, b, c] = args as [string, string, unknown, unknown, unknown];
    if (op === 'readNew') void this.readNew(stream, group, a as string, b as number);
    else if (op === 'claimStale') void this.claimStale(stream, group, a as string, b as number, c as number);
    else if (op === 'ack') void this.ack(stream, group, a as string[]);
    else if (op === 'trim') void this.trim(stream, group);
    else throw new Error(`memory outbox: the journal holds an unknown call ${op}`);
  }

  append(stream: string, eventJson: string): string {
    let s = this.byName.get(stream);
    if (!s) this.byName.set(stream, (s = { dropped: 0, entries: [], groups: new Map() }));
    const id = `${this.clock.now()}-${this.seq++}`;
    s.entries.push({ id, eventJson });
    return id;
  }

  async streams(): Promise<string[]> {
    return [...this.byName.keys()];
  }

  private group(stream: string, group: string): { s: Stream; g: Group } | null {
    const s = this.byName.get(stream);
    if (!s) return null;
    let g = s.groups.get(group);
    if (!g) s.groups.set(group, (g = { nextIndex: 0, pending: new Map() }));
    return { s, g };
  }

  async readNew(stream: string, group: string, consumer: string, count: number): Promise<OutboxEntry[]> {
    const sg = this.group(stream, group);
    if (!sg) return [];
    const out: OutboxEntry[] = [];
    while (out.length < count && sg.g.nextIndex < sg.s.dropped + sg.s.entries.length) {
      const index = sg.g.nextIndex++;
      const e = sg.s.entries[index - sg.s.dropped]!;
      sg.g.pending.set(e.id, { consumer, deliveredAtMs: this.clock.now(), index });
      out.push({ stream, id: e.id, eventJson: e.eventJson });
    }
    if (out.length > 0) this.record('readNew', [stream, group, consumer, out.length]);
    return out;
  }

  async claimStale(stream: string, group: string, consumer: string, minIdleMs: number, count: number): Promise<OutboxEntry[]> {
    const sg = this.group(stream, group);
    if (!sg) return [];
    const now = this.clock.now();
    const out: OutboxEntry[] = [];
    for (const [id, p] of sg.g.pending) {
      if (out.length >= count) break;
      if (now - p.deliveredAtMs < minIdleMs) continue;
      p.consumer = consumer;
      p.deliveredAtMs = now;
      out.push({ stream, id, eventJson: sg.s.entries[p.index - sg.s.dropped]!.eventJson });
    }
    if (out.length > 0) this.record('claimStale', [stream, group, consumer, minIdleMs, out.length]);
    return out;
  }

  async ack(stream: string, group: string, ids: string[]): Promise<void> {
    const sg = this.group(stream, group);
    if (!sg) return;
    const acked = ids.filter((id) => sg.g.pending.delete(id));
    if (acked.length > 0) this.record('ack', [stream, group, acked]);
  }

  async trim(stream: string, group: string): Promise<number> {
    const sg = this.group(stream, group);
    if (!sg) return 0;
    let keepFrom = sg.g.nextIndex;
    for (const p of sg.g.pending.values()) keepFrom = Math.min(keepFrom, p.index);
    const drop = keepFrom - sg.s.dropped;
    if (drop <= 0) return 0;
    sg.s.entries.splice(0, drop);
    sg.s.dropped += drop;
    this.record('trim', [stream, group]);
    return drop;
  }

  async backlog(group: string): Promise<number> {
    let n = 0;
    for (const s of this.byName.values()) {
      const g = s.groups.get(group);
      n += g ? s.dropped + s.entries.length - g.nextIndex + g.pending.size : s.entries.length;
    }
    return n;
  }
}
