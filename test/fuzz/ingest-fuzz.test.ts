// 10,000 malformed lines (seeded) mixed with 5,000 valid events through the embedded bus and the
// ingester: every valid event stored, every bad line dead-lettered with a field and a reason,
// counts exact, and nothing crashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Subscription } from '../../core/bus.ts';
import { silentLogger } from '../../core/logger.ts';
import { Rng } from '../../core/rng.ts';
import { uniqueName, waitFor } from '../services.ts';
import { createEmbeddedBus, type EmbeddedBus } from '../../ingest/bus/embedded.ts';
import { deadLetterId } from '../../ingest/dead-letters.ts';
import { startIngest } from '../../ingest/ingester.ts';
import { keyOfLine } from '../../ingest/message-key.ts';
import { addOutcome, emptyOutcome } from '../../ingest/outcome.ts';
import { generateEvents } from '../../ingest/testing/events.ts';
import { openTestStore, type TestStore } from '../../ingest/testing/store.ts';
import { malformedLine, type MalformedLine } from './malformed.ts';

const BAD = 10_000;
const VALID = 5_000;

describe('ingest fuzz: 10,000 malformed lines among valid ones', () => {
  let store: TestStore;
  let bus: EmbeddedBus;
  let sub: Subscription;
  const total = emptyOutcome();
  const bad: MalformedLine[] = [];
  let validCount = 0;

  beforeAll(async () => {
    const rng = new Rng('ingest-fuzz-v1');
    const valid = generateEvents(rng.fork('valid'), VALID, { merchants: 100 });
    const bases = generateEvents(rng.fork('bases'), 400, { merchants: 40 });
    const lines: string[] = valid.map((e) => JSON.stringify(e));
    for (let i = 0; i < BAD; i++) {
      const m = malformedLine(rng, rng.pick(bases), i);
      bad.push(m);
      lines.push(m.line);
    }
    validCount = valid.length;
    rng.shuffle(lines);
    store = await openTestStore();
    bus = createEmbeddedBus({ partitions: 4 });
    const topic = uniqueName('fuzz');
    sub = await startIngest({ bus, store, logger: silentLogger, topic, deadLetterTopic: uniqueName('fuzz-dlq'), groupId: uniqueName('fuzz'), maxBatchSize: 2000, maxWaitMs: 20, onBatch: (o) => addOutcome(total, o) });
    for (let i = 0; i < lines.length; i += 1000) await bus.publish(topic, lines.slice(i, i + 1000).map((value) => ({ key: keyOfLine(value), value })));
    await waitFor(() => total.messages === lines.length, { timeoutMs: 90_000, what: 'every line consumed' });
  }, 120_000);

  afterAll(async () => {
    await sub?.stop();
    await bus?.close();
    await store?.dispose();
  });

  it('stores every valid event and dead-letters every bad line, exactly', async () => {
    expect(new Set(bad.map((b) => b.line)).size).toBe(BAD);
    expect(total).toMatchObject({ messages: VALID + BAD, accepted: validCount, duplicate: 0, deadLettered: BAD, deadLetterDuplicate: 0 });
    const counts = await store.query(
      "SELECT (SELECT count() FROM {{db}}.claims_v1) + (SELECT count() FROM {{db}}.redemptions_v1) + (SELECT count() FROM {{db}}.refunds_v1) + (SELECT count() FROM {{db}}.merchants_v1) AS events, (SELECT count() FROM {{db}}.dead_letters_v1) AS letters, (SELECT countIf(field = '' OR reason = '') FROM {{db}}.dead_letters_v1) AS unexplained",
      {},
      z.object({ events: z.number(), letters: z.number(), unexplained: z.number() }),
    );
    expect(counts[0]).toEqual({ events: validCount, letters: BAD, unexplained: 0 });
  });

  it('names the field that was wrong for each kind of damage', async () => {
    const rows = await store.query('SELECT deadLetterId, field, reason FROM {{db}}.dead_letters_v1', {}, z.object({ deadLetterId: z.string(), field: z.string(), reason: z.string() }));
    const byId = new Map(rows.map((r) => [r.deadLetterId, r]));
    const wrong: string[] = [];
    for (const b of bad) {
      const row = byId.get(deadLetterId(b.line));
      if (!row) wrong.push(`${b.kind}: not dead-lettered`);
      else if (b.field !== undefined && row.field !== b.field) wrong.push(`${b.kind}: field ${row.field} (${row.reason}), expected ${b.field}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    // Every kind of damage was generated often enough to matter.
    const kinds = new Map<string, number>();
    for (const b of bad) kinds.set(b.kind, (kinds.get(b.kind) ?? 0) + 1);
    expect(kinds.size).toBeGreaterThanOrEqual(12);
    for (const [, n] of kinds) expect(n).toBeGreaterThan(50);
  });
});
