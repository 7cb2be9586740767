// Per-role bearer tokens: the issuance client (claims, wallets), the merchant gateway (redemptions,
// refunds), the admin (campaigns, eligibility, settlement, block lists), risk analysts (triage,
// reports) and the bureau (reports). Tokens come from
// config; a role with no configured token cannot authenticate, never an open door. Comparison is
// constant-time over SHA-256 digests so neither content nor length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../core/errors.ts';

export const ROLES = ['issuance', 'merchant', 'admin', 'analyst', 'bureau'] as const;
export type Role = (typeof ROLES)[number];

export interface Auth {
  /** Middleware admitting callers holding any of the roles. */
  require(...roles: Role[]): RequestHandler;
  /** The role a request's token belongs to, or null. */
  roleOf(req: Request): Role | null;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createAuth(tokens: Partial<Record<Role, string>>): Auth {
  const known = ROLES.flatMap((role) => (tokens[role] ? [{ role, hash: digest(tokens[role]!) }] : []));
  const roleOf = (req: Request): Role | null => {
    const header = req.get('authorization') ?? '';
    if (!header.startsWith('Bearer ')) return null;
    const given = digest(header.slice(7).trim());
    let found: Role | null = null;
    // Compare against every token, so timing does not say which role came close.
    for (const k of known) if (timingSafeEqual(given, k.hash)) found = k.role;
    return found;
  };
  return {
    roleOf,
    require(...roles: Role[]): RequestHandler {
      return (req: Request, _res: Response, next: NextFunction) => {
        if (!req.get('authorization')) return next(new AppError('UNAUTHENTICATED', 'a bearer token is required', { field: 'authorization' }));
        const role = roleOf(req);
        if (!role) return next(new AppError('UNAUTHENTICATED', 'the bearer token is not valid', { field: 'authorization' }));
        if (!roles.includes(role)) return next(new AppError('FORBIDDEN', `this route needs the ${roles.join(' or ')} role`, { field: 'authorization' }));
        next();
      };
    },
  };
}
