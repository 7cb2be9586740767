// The transactional outbox: events appended in the same atomic step as the state change, moved to
// the bus by relay.ts. Modelled on Redis Streams consumer groups so both stores share semantics:
// an entry read but not acknowledged stays pending and can be claimed by another consumer.
export interface OutboxEntry {
  stream: string;
  id: string;
  eventJson: string;
}

export interface Outbox {
  /** Every stream that may hold entries (one per campaign plus a global one). */
  streams(): Promise<string[]>;
  readNew(stream: string, group: string, consumer: string, count: number): Promise<OutboxEntry[]>;
  /** Takes over entries another consumer read more than `minIdleMs` ago and never acknowledged. */
  claimStale(stream: string, group: string, consumer: string, minIdleMs: number, count: number): Promise<OutboxEntry[]>;
  ack(stream: string, group: string, ids: string[]): Promise<void>;
  /**
   * Drops entries the group has read and acknowledged (older than its oldest pending entry and not
   * after its last delivered one); returns how many. Safe with one consumer group per outbox.
   */
  trim(stream: string, group: string): Promise<number>;
  /** Entries not yet acknowledged by the group: unread plus pending. */
  backlog(group: string): Promise<number>;
}
