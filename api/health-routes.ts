// Liveness and readiness. /healthz says the process serves HTTP; /readyz says every dependency
// (store, bus, later hot state) answered within a deadline, and names the ones that did not.
import type { Router } from 'express';
import type { RouteModule } from './app.ts';

export type ReadinessCheck = () => Promise<boolean>;

const CHECK_TIMEOUT_MS = 2_000;

export function healthRoutes(checks: Record<string, ReadinessCheck>): RouteModule {
  return {
    name: 'health',
    mount(router: Router) {
      router.get('/healthz', (_req, res) => {
        res.json({ status: 'ok' });
      });
      router.get('/readyz', async (_req, res) => {
        const results = Object.fromEntries(await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await withDeadline(check)] as const)));
        const ready = Object.values(results).every(Boolean);
        res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(Object.entries(results).map(([k, ok]) => [k, ok ? 'ok' : 'unavailable'])) });
      });
    },
    openapi: {
      paths: {
        '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'the process serves HTTP' } } } },
        '/readyz': { get: { summary: 'Readiness of store and bus', security: [], responses: { '200': { description: 'ready' }, '503': { description: 'a dependency is unavailable' } } } },
      },
    },
  };
}

async function withDeadline(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([check().catch(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), CHECK_TIMEOUT_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}
