// Prometheus metrics, one registry per app (no global default registry: two apps in one process,
// as in tests, never share or double-register series). Ingest reports through IngestMetrics; lag
// is read from the bus when Prometheus scrapes.
import type { Router } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestMetrics } from '../ingest/ingester.ts';
import type { IngestOutcome } from '../ingest/outcome.ts';
import type { RouteModule } from './app.ts';

export interface AppMetrics {
  readonly registry: Registry;
  readonly ingest: IngestMetrics;
}

export interface MetricsOptions {
  /** Consumer lag of the ingest group, read at scrape time. */
  lag?: () => Promise<number>;
  /** Process metrics (CPU, memory, event loop); off in tests. */
  processMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'quanguard_' });
  const eventsIn = new Counter({ name: 'quanguard_ingest_events_total', help: 'Events handled by ingest, by type and outcome (accepted, duplicate)', labelNames: ['type', 'outcome'], registers: [registry] });
  const deadLetters = new Counter({ name: 'quanguard_ingest_dead_letters_total', help: 'Messages refused and dead-lettered, by the field that was wrong', labelNames: ['field'], registers: [registry] });
  const batches = new Counter({ name: 'quanguard_ingest_batches_total', help: 'Ingest batches, by result (stored, failed)', labelNames: ['result'], registers: [registry] });
  const batchSize = new Histogram({ name: 'quanguard_ingest_batch_size', help: 'Messages per ingest batch', buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000, 20000], registers: [registry] });
  const batchSeconds = new Histogram({ name: 'quanguard_ingest_batch_seconds', help: 'Time to decode, deduplicate and store one batch', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const lag = opts.lag;
  new Gauge({
    name: 'quanguard_ingest_consumer_lag',
    help: 'Messages published to the events topic and not yet committed by the ingest group',
    registers: [registry],
    async collect() {
      if (!lag) return;
      try {
        this.set(await lag());
      } catch {
        // An unreachable bus shows in /readyz; a scrape still returns the other series.
      }
    },
  });
  return {
    registry,
    ingest: {
      batchDone(o: IngestOutcome, seconds: number) {
        batches.inc({ result: 'stored' });
        batchSize.observe(o.messages);
        batchSeconds.observe(seconds);
        for (const [type, c] of Object.entries(o.byType)) {
          if (c.accepted) eventsIn.inc({ type, outcome: 'accepted' }, c.accepted);
          if (c.duplicate) eventsIn.inc({ type, outcome: 'duplicate' }, c.duplicate);
        }
        for (const [field, n] of Object.entries(o.deadLetterFields)) deadLetters.inc({ field }, n);
      },
      batchFailed() {
        batches.inc({ result: 'failed' });
      },
    },
  };
}

export function metricsRoutes(metrics: AppMetrics): RouteModule {
  return {
    name: 'metrics',
    mount(router: Router) {
      router.get('/metrics', async (_req, res, next) => {
        try {
          res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
        } catch (err) {
          next(err);
        }
      });
    },
    openapi: { paths: { '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text exposition format' } } } } } },
  };
}
