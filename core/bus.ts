// The stream every event takes. Two implementations share this interface and one contract suite:
// ingest/bus/embedded.ts (in-process, bounded) and ingest/bus/kafka.ts (kafkajs).
export const TOPICS = {
  events: 'quanguard.events.v1',
  deadLetter: 'quanguard.deadletter.v1',
  decisions: 'quanguard.decisions.v1',
} as const;

export interface OutgoingMessage {
  /** Partition key: one user's or one merchant's messages keep their order. */
  key: string;
  /** The raw message body (JSON text). */
  value: string;
  headers?: Record<string, string>;
}

export interface BusMessage extends OutgoingMessage {
  topic: string;
  partition: number;
  offset: string;
}

export interface SubscribeOptions {
  topic: string;
  groupId: string;
  fromBeginning?: boolean;
  /** Largest batch handed to the handler. */
  maxBatchSize?: number;
  /** How long to wait to fill a batch before handing over what there is. */
  maxWaitMs?: number;
  /**
   * Called with a batch of messages in partition order. Offsets are committed only after the
   * returned promise resolves; if it rejects, the batch is delivered again.
   */
  handleBatch(messages: BusMessage[]): Promise<void>;
}

export interface Subscription {
  /** Stops consuming; the in-flight batch finishes and its offsets are committed first. */
  stop(): Promise<void>;
}

export interface EventBus {
  readonly backend: 'embedded' | 'kafka';
  /** Resolves once the messages are durably accepted (acks=all on Kafka). */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
  /** Messages published but not yet committed by the group (consumer lag). */
  lag(topic: string, groupId: string): Promise<number>;
  close(): Promise<void>;
}
