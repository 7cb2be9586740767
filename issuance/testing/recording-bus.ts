// A test double of the EventBus that records what was published and can be told to fail, so the
// relay's at-least-once behaviour is tested without a broker.
import type { EventBus, OutgoingMessage, Subscription } from '../../core/bus.ts';

export class RecordingBus implements EventBus {
  readonly backend = 'embedded' as const;
  readonly published: { topic: string; message: OutgoingMessage }[] = [];
  /** While > 0, publish rejects and decrements. */
  failNext = 0;

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('recording bus: injected publish failure');
    }
    for (const message of messages) this.published.push({ topic, message });
  }

  eventIds(topic: string): string[] {
    return this.published.filter((p) => p.topic === topic).map((p) => (JSON.parse(p.message.value) as { eventId: string }).eventId);
  }

  async subscribe(): Promise<Subscription> {
    throw new Error('recording bus: subscribe is not supported');
  }

  async lag(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}
}
