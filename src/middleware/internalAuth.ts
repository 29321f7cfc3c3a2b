/**
 * Internal service authentication for the Meta Bot: the `x-api-key` header, compared in constant
 * time with INTERNAL_SERVICE_API_KEY. E4 envelope [COMPAT]: missing → 401 MISSING_API_KEY,
 * wrong → 403 INVALID_API_KEY.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { InternalApiError } from '../utils/errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time string equality (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function authenticateInternalService(apiKey: string): RequestHandler {
  return (req, _res, next) => {
    const given = req.get('x-api-key');
    if (!given) next(new InternalApiError(401, 'MISSING_API_KEY', 'API key is required'));
    else if (!safeEqual(given, apiKey)) next(new InternalApiError(403, 'INVALID_API_KEY', 'Invalid API key'));
    else next();
  };
}
