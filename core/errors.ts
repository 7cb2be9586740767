// A small error taxonomy. Denials (sold out, limit reached, blocked) are return values, not errors;
// an AppError means the request was bad or infrastructure failed. api/present-error.ts maps these
// to HTTP in one place.
export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, opts: { field?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.field = opts.field;
    this.retryable = opts.retryable ?? (code === 'UNAVAILABLE');
  }
}

export function invalid(field: string, reason: string): AppError {
  return new AppError('INVALID_REQUEST', `${field} ${reason}`, { field });
}

/** Infrastructure failure (a broker, Redis or ClickHouse) that a caller may retry. */
export function unavailable(what: string, cause?: unknown): AppError {
  return new AppError('UNAVAILABLE', `${what} is unavailable`, { retryable: true, cause });
}
