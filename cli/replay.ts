// `quanguard replay EVENTS.ndjson [--out DIR] [--data DIR]`: streams the file line by line through
// the bus (embedded, or Kafka when KAFKA_BROKERS is set) into the store via the ingester, waits
// until every line is consumed, prints a summary and writes DIR/summary.json. Replaying the same
// file again stores nothing new: every line is a duplicate.
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { TOPICS, type EventBus, type OutgoingMessage } from '../core/bus.ts';
import { parseEventLine, type QuanguardEvent } from '../core/events.ts';
import { loadConfig, type Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { createBus } from '../ingest/bus/index.ts';
import { topicDeleter } from '../ingest/bus/kafka.ts';
import { MAX_EVENT_CHARS, ORIGINAL_LENGTH_HEADER } from '../ingest/decode.ts';
import { startIngest } from '../ingest/ingester.ts';
import { keyOfLine } from '../ingest/message-key.ts';
import { addOutcome, emptyOutcome, type IngestOutcome } from '../ingest/outcome.ts';
import { finishProcessors, type EventProcessor } from '../ingest/pipeline.ts';
import { createAnalyticsStore, type AnalyticsStore } from '../ingest/store/analytics-store.ts';
import { parseArgs } from './args.ts';
import { createProgress } from './replay-progress.ts';
import { RulesProcessor } from '../rules/replay-processor.ts';
import { loadRuleset } from '../rules/ruleset/load.ts';
import { readModelFile } from '../models/model-file.ts';
import { createModelProcessor } from '../models/processor.ts';
import { writeFlags } from '../models/sink/flags-store.ts';
import { StoreDecisionSink } from '../rules/sink/store-sink.ts';

const PUBLISH_CHUNK = 2000;
export { RULES_FLAG_SOURCE } from '../rules/flag-publisher.ts';
import { RULES_FLAG_SOURCE } from '../rules/flag-publisher.ts';
/** Give up when nothing is consumed for this long (a store or broker that stays down). */
const STALL_MS = 120_000;

const argsSchema = z.object({
  file: z.string({ error: 'give the NDJSON file to replay: quanguard replay EVENTS.ndjson [--out DIR] [--data DIR]' }).min(1),
  out: z.string({ error: '--out needs a directory' }).min(1).optional(),
  data: z.string({ error: '--data needs a directory' }).min(1).optional(),
});

export interface ReplaySummary extends IngestOutcome {
  file: string;
  lines: number;
  blankLines: number;
  published: number;
  bus: EventBus['backend'];
  store: string;
  elapsedMs: number;
}

export interface ReplayDeps {
  bus: EventBus;
  store: AnalyticsStore;
  logger: Logger;
  /** Rules and models plug in here (later issues): decisions.ndjson, flags.json under --out. */
  processors?: readonly EventProcessor[];
  outDir?: string;
  onProgress?(bytes: number, lines: number, ingested: number): void;
}

/** The replay itself, on the given bus and store; run() wires them from config. */
export async function replayFile(file: string, deps: ReplayDeps): Promise<ReplaySummary> {
  const started = Date.now();
  const runId = `${started.toString(36)}${process.pid.toString(36)}`;
  // On Kafka the events topic is shared with a running engine; a replay reads its own topic so
  // "all consumed" means this file, and a running engine does not ingest it a second time.
  const topic = deps.bus.backend === 'kafka' ? `${TOPICS.events}.replay-${runId}` : TOPICS.events;
  const total = emptyOutcome();
  const sub = await startIngest({
    bus: deps.bus,
    store: deps.store,
    logger: deps.logger,
    topic,
    deadLetterTopic: TOPICS.deadLetter,
    groupId: `quanguard-replay-${runId}`,
    fromBeginning: true,
    consumers: 2,
    onBatch: (o) => addOutcome(total, o),
  });
  // Rules and models see the file's events in the file's order, not in bus delivery order: the
  // bus keeps order per key only and its partitions interleave differently from run to run, which
  // made two replays of one file give different decisions. The store still gets everything through
  // the bus; the processors get each valid event once (first occurrence of its eventId).
  const feed = deps.processors?.length ? fileOrderFeed(deps.processors) : undefined;
  let lines = 0;
  let blankLines = 0;
  let published = 0;
  let bytes = 0;
  try {
    const input = createReadStream(file, { encoding: 'utf8' });
    input.on('data', (chunk) => (bytes += Buffer.byteLength(chunk as string)));
    const rl = createInterface({ input, crlfDelay: Infinity });
    let chunk: OutgoingMessage[] = [];
    for await (const line of rl) {
      lines++;
      if (line.trim() === '') {
        blankLines++;
        continue;
      }
      chunk.push(toMessage(line));
      feed?.add(line);
      if (chunk.length >= PUBLISH_CHUNK) {
        await feed?.flush();
        await deps.bus.publish(topic, chunk);
        published += chunk.length;
        chunk = [];
        deps.onProgress?.(bytes, lines, total.messages);
      }
    }
    if (chunk.length > 0) {
      await deps.bus.publish(topic, chunk);
      published += chunk.length;
    }
    await feed?.flush();
    await waitConsumed(() => total.messages, published, (n) => deps.onProgress?.(bytes, lines, n));
  } finally {
    await sub.stop();
    // The run's own Kafka topic is read to the end now: deleting it keeps the broker from
    // collecting one topic per replay.
    const deleteTopic = topic === TOPICS.events ? undefined : topicDeleter(deps.bus);
    await deleteTopic?.(topic).catch((err: unknown) => deps.logger.warn('replay: could not delete its topic', { topic, err: err as Error }));
  }
  await finishProcessors(deps.processors ?? [], deps.outDir);
  return { file, lines, blankLines, published, ...total, bus: deps.bus.backend, store: `${deps.store.backend}:${deps.store.location}`, elapsedMs: Date.now() - started };
}

function fileOrderFeed(processors: readonly EventProcessor[]) {
  const seen = new Set<string>();
  let pending: QuanguardEvent[] = [];
  return {
    add(line: string): void {
      if (line.length > MAX_EVENT_CHARS) return;
      const r = parseEventLine(line);
      if (!r.ok || seen.has(r.event.eventId)) return;
      seen.add(r.event.eventId);
      pending.push(r.event);
    },
    async flush(): Promise<void> {
      if (pending.length === 0) return;
      const events = pending;
      pending = [];
      for (const p of processors) await p.process(events);
    },
  };
}

function toMessage(line: string): OutgoingMessage {
  // An over-long line travels cut (a broker caps message size) with its real length beside it; the
  // ingester dead-letters it with that length.
  if (line.length > MAX_EVENT_CHARS) return { key: keyOfLine(line.slice(0, 256)), value: line.slice(0, MAX_EVENT_CHARS + 1), headers: { [ORIGINAL_LENGTH_HEADER]: String(line.length) } };
  return { key: keyOfLine(line), value: line };
}

async function waitConsumed(consumed: () => number, target: number, tick: (n: number) => void): Promise<void> {
  let last = -1;
  let lastChange = Date.now();
  while (consumed() < target) {
    const n = consumed();
    if (n !== last) {
      last = n;
      lastChange = Date.now();
      tick(n);
    } else if (Date.now() - lastChange > STALL_MS) {
      throw new Error(`replay: no progress for ${STALL_MS / 1000} s (${n} of ${target} consumed); is the store or the broker down?`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  tick(consumed());
}

export function formatSummary(s: ReplaySummary): string {
  const types = Object.entries(s.byType)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, c]) => `  ${t.padEnd(22)} accepted ${String(c.accepted).padStart(9)}  duplicate ${String(c.duplicate).padStart(9)}`);
  const fields = Object.entries(s.deadLetterFields)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 10)
    .map(([f, n]) => `  ${f.padEnd(22)} ${n}`);
  return [
    `replayed ${s.file}: ${s.published} messages (${s.blankLines} blank lines skipped) in ${(s.elapsedMs / 1000).toFixed(1)} s via bus=${s.bus} store=${s.store}`,
    `accepted ${s.accepted}  duplicate ${s.duplicate}  dead-lettered ${s.deadLettered}${s.deadLetterDuplicate ? `  (+${s.deadLetterDuplicate} bad lines already dead-lettered before)` : ''}`,
    ...(types.length ? ['by type:', ...types] : []),
    ...(fields.length ? ['dead letters by field:', ...fields] : []),
  ].join('\n');
}

export function replayConfig(config: Config, dataDir: string | undefined): Config {
  if (!dataDir || !('embeddedPath' in config.clickhouse)) return config;
  return { ...config, dataDir, clickhouse: { ...config.clickhouse, embeddedPath: join(dataDir, 'clickhouse') } };
}

export async function run(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv);
  const parsed = argsSchema.safeParse({ file: positionals[0], out: options.out, data: options.data });
  if (!parsed.success || positionals.length > 1) {
    const issue = parsed.success ? { path: ['file'], message: 'give exactly one file' } : parsed.error.issues[0]!;
    process.stderr.write(`quanguard replay: ${issue.path.join('.') || 'arguments'}: ${issue.message}\n`);
    return 2;
  }
  const { file, out, data } = parsed.data;
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    process.stderr.write(`quanguard replay: file: cannot read ${file}\n`);
    return 2;
  }
  const config = replayConfig(loadConfig(), data);
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, base: { service: 'quanguard', command: 'replay' } });
  const store = createAnalyticsStore(config.clickhouse, logger);
  let bus: EventBus | undefined;
  const progress = createProgress(size);
  try {
    bus = await createBus(config, logger);
    await store.migrate();
    if (out) await mkdir(out, { recursive: true });
    // Rules: decisions into decisions_v1, and decisions.ndjson + flags.json under --out.
    const rules = new RulesProcessor({ ruleset: loadRuleset(), sink: new StoreDecisionSink(store, { logger }), decisionsFile: out ? join(out, 'decisions.ndjson') : undefined });
    // Models after rules: at the end they add ring and merchant flags to flags.json and flags_v1.
    // Models finish after rules, so the rules' flags are complete here: both go to flags_v1 (the
    // triage queue and dashboards read it), stamped with the window's end in event time.
    const models = createModelProcessor({
      forest: readModelFile(),
      logger,
      onFlags: async (flags, at) => {
        await writeFlags(store, flags, at);
        await writeFlags(store, rules.flags(), at, RULES_FLAG_SOURCE);
      },
    });
    const summary = await replayFile(file, { bus, store, logger, outDir: out, processors: [rules, models], onProgress: (b, l, n) => progress.update(b, l, n) });
    progress.done();
    process.stdout.write(formatSummary(summary) + '\n');
    if (out) await writeFile(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    return 0;
  } finally {
    progress.done();
    await bus?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
  }
}
