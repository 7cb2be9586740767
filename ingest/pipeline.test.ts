import { describe, expect, it } from 'vitest';
import type { QuanguardEvent } from '../core/events.ts';
import { serialProcessors, type EventProcessor } from './pipeline.ts';

describe('serialProcessors', () => {
  it('never lets two batches into a processor at once, and keeps call order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: number[] = [];
    const slow: EventProcessor = {
      name: 'slow',
      async process(events) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        seen.push(events.length);
        inFlight--;
      },
    };
    const [wrapped] = serialProcessors([slow]);
    const batches = [1, 2, 3, 4, 5].map((n) => Array.from({ length: n }, () => ({}) as QuanguardEvent));
    await Promise.all(batches.map((b) => wrapped!.process(b)));
    expect(maxInFlight).toBe(1);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('a failing batch rejects its caller but does not block the next one', async () => {
    const seen: string[] = [];
    const [wrapped] = serialProcessors([
      {
        name: 'flaky',
        async process(events) {
          if (events.length === 1) throw new Error('boom');
          seen.push(`ok:${events.length}`);
        },
      },
    ]);
    const one = [{} as QuanguardEvent];
    await expect(wrapped!.process(one)).rejects.toThrow('boom');
    await wrapped!.process([...one, ...one]);
    expect(seen).toEqual(['ok:2']);
  });
});
