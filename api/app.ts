// Assembles the HTTP API from route modules. Handlers stay thin: parse with zod, call a use case,
// present the result; errors go through api/present-error.ts.
import express, { type Express, type Router } from 'express';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { jsonBody } from './json-body.ts';
import { errorMiddleware } from './present-error.ts';

/** A slice of the OpenAPI 3 document contributed by one route module. */
export interface OpenApiFragment {
  paths: Record<string, unknown>;
  schemas?: Record<string, unknown>;
}

export interface RouteModule {
  name: string;
  mount(router: Router): void;
  openapi?: OpenApiFragment;
}

export function createApp(opts: { modules: RouteModule[]; logger: Logger; title?: string; version?: string }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(jsonBody(256 * 1024));
  const router = express.Router();
  for (const m of opts.modules) m.mount(router);
  router.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApi(opts.modules, opts.title ?? 'quanguard', opts.version ?? '0.1.0'));
  });
  app.use(router);
  app.use((req, _res, next) => next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path.slice(0, 100)}`)));
  app.use(errorMiddleware(opts.logger));
  return app;
}

export function buildOpenApi(modules: RouteModule[], title: string, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {
    Error: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message', 'retryable'],
          properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' }, retryable: { type: 'boolean' } },
        },
      },
    },
  };
  for (const m of modules) {
    if (!m.openapi) continue;
    for (const [p, ops] of Object.entries(m.openapi.paths)) paths[p] = { ...(paths[p] as object | undefined), ...(ops as object) };
    Object.assign(schemas, m.openapi.schemas ?? {});
  }
  return {
    openapi: '3.0.3',
    info: { title, version, description: 'quanguard: coupon issuance and real-time risk decisions for consumption-coupon programs' },
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
