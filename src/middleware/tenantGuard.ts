/**
 * The company always comes from the authenticated user. A companyId / company_id named in the
 * path, query or body that is not the caller's is refused with 403, never served.
 */
import type { RequestHandler } from 'express';
import { ForbiddenError } from '../utils/errors';
import type { AuthUser } from './auth';

const KEYS = ['companyId', 'company_id'];

function named(source: unknown): string[] {
  if (!source || typeof source !== 'object') return [];
  const out: string[] = [];
  for (const k of KEYS) {
    const v = (source as Record<string, unknown>)[k];
    if (v !== undefined && v !== null && v !== '') out.push(String(v));
  }
  return out;
}

export function sameCompany(): RequestHandler {
  return (req, res, next) => {
    const user = res.locals.user as AuthUser | undefined;
    if (!user) {
      next();
      return;
    }
    // Malformed ids are left to validation (400); a well-formed foreign id is refused here.
    const ids = [...named(req.params), ...named(req.query), ...named(req.body)].filter((id) => /^[0-9a-f]{24}$/i.test(id));
    if (ids.some((id) => id.toLowerCase() !== user.companyId)) {
      next(new ForbiddenError("You can only access your own company's data"));
      return;
    }
    next();
  };
}
