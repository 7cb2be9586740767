// ingestBatch writes independent tables at the same time but keeps the order the rollup views
// need: a refund counted in the same batch as its order's redemption, even when the refund comes
// first in the batch, still takes the order's campaign and the merchant's district.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BusMessage } from '../core/bus.ts';
import { systemClock } from '../core/clock.ts';
import type { QuanguardEvent } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { Rng } from '../core/rng.ts';
import { createEmbeddedBus } from './bus/embedded.ts';
import { ingestBatch } from './ingest-batch.ts';
import { generateEvents } from './testing/events.ts';
import { openTestStore, type TestStore } from './testing/store.ts';

let store: TestStore | undefined;
afterEach(async () => {
  await store?.dispose();
  store = undefined;
});

const asMessages = (events: QuanguardEvent[]): BusMessage[] => events.map((e, i) => ({ topic: 't', partition: 0, offset: String(i), key: e.eventId, value: JSON.stringify(e) }));

describe('ingestBatch table order', () => {
  it('stores a refund that precedes its redemption and merchant in the batch under their campaign and district', async () => {
    store = await openTestStore();
    const events = generateEvents(new Rng('ingest-batch-order'), 400, { merchants: 5, users: 50 });
    const refunds = events.filter((e): e is Extract<QuanguardEvent, { type: 'refund' }> => e.type === 'refund');
    expect(refunds.length).toBeGreaterThan(0);
    const merchants = events.filter((e) => e.type === 'merchant.registered');
    const orderIds = new Set(refunds.map((f) => f.orderId));
    const redemptions = events.filter((e) => e.type === 'redemption' && orderIds.has(e.orderId));
    // Refunds first, then their redemptions, then the merchants: the reverse of what the views need.
    const batch = [...refunds, ...redemptions, ...merchants];
    const bus = createEmbeddedBus();
    try {
      const outcome = await ingestBatch({ bus, store, logger: silentLogger, clock: systemClock, deadLetterTopic: 'dlq', processors: [] }, asMessages(batch));
      expect(outcome.accepted).toBe(batch.length);
    } finally {
      await bus.close();
    }
    const rows = await store.query(
      `SELECT campaignId, district, sum(refunds) AS n FROM {{db}}.daily_rollup_v1 WHERE daily_rollup_v1.refunds > 0 GROUP BY campaignId, district`,
      {},
      z.object({ campaignId: z.string(), district: z.string(), n: z.number() }),
    );
    expect(rows.reduce((sum, r) => sum + r.n, 0)).toBe(refunds.length);
    for (const r of rows) {
      expect(r.campaignId).toBe('cmp_lyg2026spring');
      expect(r.district).not.toBe('unknown');
      expect(r.district).not.toBe('');
    }
  });
});
