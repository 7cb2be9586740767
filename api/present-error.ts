// The one place errors become HTTP. Public messages never carry internals, stack traces or
// personal data; the body always has a machine-readable `code`.
import type { NextFunction, Request, Response } from 'express';
import { AppError, type ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

const STATUS: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; retryable: boolean };
}

export function errorBody(err: AppError): ErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), retryable: err.retryable } };
}

/** Maps body-parser and other framework errors onto the taxonomy. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return new AppError('INVALID_REQUEST', 'body is not valid JSON', { field: '(body)' });
  if (e?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'body is too large', { field: '(body)' });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new AppError('INVALID_REQUEST', 'body encoding is not supported', { field: '(body)' });
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new AppError('INVALID_REQUEST', 'request is malformed', { field: '(request)' });
  return new AppError('INTERNAL', 'internal error', { cause: err });
}

export function errorMiddleware(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const app = toAppError(err);
    if (app.code === 'INTERNAL' || app.code === 'UNAVAILABLE')
      logger.error('request failed', { method: req.method, path: req.path, code: app.code, cause: (app.cause as Error)?.message ?? String(app.cause ?? '') });
    if (res.headersSent) return;
    res.status(STATUS[app.code]).json(errorBody(app));
  };
}

export function httpStatus(code: ErrorCode): number {
  return STATUS[code];
}
