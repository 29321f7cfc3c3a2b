/**
 * The company always comes from the authenticated user. A companyId / company_id named in the
 * path, query or body that is not the caller's is refused with 403, never served. It must be named
 * once, as a string: a repeated query parameter (`?companyId=a&companyId=b`) or an array or object
 * value is refused too (403 when any of its values is another company's id, 400 otherwise), so
 * no value can slip past the comparison by changing its shape.
 */
import type { RequestHandler } from 'express';
import { AppError, ForbiddenError } from '../utils/errors';
import type { AuthUser } from './auth';

const KEYS = ['companyId', 'company_id'];
const OBJECT_ID = /^[0-9a-f]{24}$/i;

interface Named {
  /** Every string value named, arrays flattened. */
  values: string[];
  /** Whether a value was not a single string (or number). */
  malformed: boolean;
}

function collect(source: unknown, into: Named): void {
  if (!source || typeof source !== 'object') return;
  for (const k of KEYS) {
    const v = (source as Record<string, unknown>)[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'string' || typeof v === 'number') into.values.push(String(v));
    else {
      into.malformed = true;
      if (Array.isArray(v)) for (const item of v) if (typeof item === 'string') into.values.push(item);
    }
  }
}

export function sameCompany(): RequestHandler {
  return (req, res, next) => {
    const user = res.locals.user as AuthUser | undefined;
    if (!user) {
      next();
      return;
    }
    const named: Named = { values: [], malformed: false };
    for (const source of [req.params, req.query, req.body]) collect(source, named);
    // Malformed single ids are left to validation (400); a well-formed foreign id is refused here.
    if (named.values.some((id) => OBJECT_ID.test(id) && id.toLowerCase() !== user.companyId)) {
      next(new ForbiddenError("You can only access your own company's data"));
      return;
    }
    if (named.malformed) {
      next(new AppError(400, 'INVALID_COMPANY_ID', 'companyId must be given once, as a single id'));
      return;
    }
    next();
  };
}
