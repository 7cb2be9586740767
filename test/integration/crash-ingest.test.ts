// Kill an ingest consumer mid-batch on real Kafka, restart it, and show every event stored exactly
// once. The consumers run in child processes (crash-ingest-worker.ts) that SIGKILL themselves at
// the two worst moments: a batch fully written but not yet committed, and half a batch written.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { EventBus } from '../../core/bus.ts';
import type { QuanguardEvent } from '../../core/events.ts';
import { silentLogger } from '../../core/logger.ts';
import { Rng } from '../../core/rng.ts';
import { createKafkaBus } from '../../ingest/bus/kafka.ts';
import { deleteOwnTopics } from '../../ingest/bus/test-topics.ts';
import { keyOfLine } from '../../ingest/message-key.ts';
import { generateEvents } from '../../ingest/testing/events.ts';
import { describeWithService, serviceUrl, uniqueName, waitFor } from '../services.ts';

const N = 20_000;
const worker = join(dirname(fileURLToPath(import.meta.url)), 'crash-ingest-worker.ts');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Record<string, unknown>[];
  stderr: string;
}

function runWorker(args: Record<string, unknown>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, signal, lines, stderr: stderr.slice(-4000) });
    });
  });
}

const sumOf = (run: Run, field: string) => run.lines.filter((l) => l.event === 'batch').reduce((s, l) => s + Number(l[field]), 0);

function expectedRollup(events: QuanguardEvent[]) {
  const by = (t: string) => events.filter((e) => e.type === t).length;
  return { claims: by('claim'), redemptions: by('redemption'), refunds: by('refund'), discountFen: events.reduce((s, e) => s + (e.type === 'redemption' ? e.discountFen : 0), 0) };
}

describeWithService('KAFKA_BROKERS', 'crash test: ingest consumer killed mid-batch on real Kafka', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qg-crash-'));
  let bus: EventBus | undefined;
  afterAll(async () => {
    await bus?.close();
    await deleteOwnTopics((serviceUrl('KAFKA_BROKERS') ?? '').split(',').map((b) => b.trim()).filter(Boolean)).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`stores each of ${N} events exactly once across two SIGKILLs and restarts`, async () => {
    const brokers = (serviceUrl('KAFKA_BROKERS') ?? '').split(',').map((b) => b.trim()).filter(Boolean);
    const topic = uniqueName('crash_events');
    const deadLetterTopic = uniqueName('crash_dlq');
    const groupId = uniqueName('crash_ingest');
    bus = await createKafkaBus({ brokers, clientId: 'quanguard-crash-test', logger: silentLogger, partitions: 8, topics: [topic, deadLetterTopic] });
    const events = generateEvents(new Rng('crash-ingest'), N, { merchants: 200 });
    const lines = events.map((e) => JSON.stringify(e));
    await bus.publish(topic, lines.map((value) => ({ key: keyOfLine(value), value })));
    expect(await bus.lag(topic, groupId)).toBe(N);

    const base = { brokers, topic, deadLetterTopic, groupId, path: join(dir, 'chdb'), database: uniqueName('qg_crash'), maxBatchSize: 1000 };

    // 1. Dies after batch 3 was written to every table, before handleBatch resolved: nothing of
    //    batch 3 is committed, so all of it comes again.
    const first = await runWorker({ ...base, mode: 'ingest', crashAfterWrittenBatch: 3 });
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const died = first.lines.find((l) => l.event === 'dying');
    expect(died).toMatchObject({ at: 'after-written-batch', batch: 3 });
    const lagAfterFirst = await bus.lag(topic, groupId);
    expect(lagAfterFirst, 'batches 1-2 committed, batch 3 not').toBe(N - sumOf(first, 'messages') + Number(died!.size));

    // 2. Dies right after the first table insert of its second batch: half a batch in the store.
    const second = await runWorker({ ...base, mode: 'ingest', crashOnInsert: 2 });
    expect(second.signal, second.stderr).toBe('SIGKILL');
    const halfDied = second.lines.find((l) => l.event === 'dying');
    expect(halfDied).toMatchObject({ at: 'after-first-insert', batch: 2 });
    expect(Number(halfDied!.rows)).toBeGreaterThan(0);

    // What the two dead passes left in the store. Embedded ClickHouse runs in a child process by
    // default: an insert already handed to it when the consumer died may still land, so the store
    // can hold more than the dead pass reported.
    const between = await runWorker({ ...base, mode: 'count' });
    expect(between.code, between.stderr).toBe(0);
    const storedBefore = (between.lines.find((l) => l.event === 'counts') as { all: { rows: number; distinct: number } }).all;
    expect(storedBefore.rows, 'no eventId twice after the crashes').toBe(storedBefore.distinct);
    expect(storedBefore.distinct).toBeGreaterThanOrEqual(sumOf(first, 'accepted') + sumOf(second, 'accepted') + Number(halfDied!.rows));

    // 3. Runs until the group has committed everything.
    const third = await runWorker({ ...base, mode: 'ingest' });
    expect(third.code, third.stderr).toBe(0);
    expect(third.lines.at(-1)).toMatchObject({ event: 'done' });
    await waitFor(async () => (await bus!.lag(topic, groupId)) === 0, { what: 'lag 0' });

    // 4. Count what the store holds.
    const counted = await runWorker({ ...base, mode: 'count' });
    expect(counted.code, counted.stderr).toBe(0);
    const c = counted.lines.find((l) => l.event === 'counts') as {
      tables: Record<string, { rows: number; distinct: number }>;
      all: { rows: number; distinct: number };
      rollup: Record<string, number>;
      deadLetters: number;
    };
    expect(c.all).toEqual({ rows: N, distinct: N });
    for (const [table, t] of Object.entries(c.tables)) expect(t.rows, `${table}: no eventId twice`).toBe(t.distinct);
    expect(c.rollup).toEqual(expectedRollup(events));
    expect(c.deadLetters).toBe(0);
    // The accounting of the passes: the last pass accepted exactly what the crashed ones had not
    // stored, and every written-but-uncommitted event came back and was recognised as a duplicate.
    expect(sumOf(third, 'accepted')).toBe(N - storedBefore.distinct);
    expect(sumOf(second, 'duplicate') + sumOf(third, 'duplicate')).toBeGreaterThanOrEqual(Number(died!.size) + Number(halfDied!.rows));
  }, 400_000);
});
