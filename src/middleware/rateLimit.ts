/**
 * The auth limiter [COMPAT]: one limiter shared by login and register-manager, per client IP,
 * AUTH_RATE_LIMIT_MAX requests (default 5) per AUTH_RATE_LIMIT_WINDOW_MS (15 min), successful
 * requests included; 429 E1 RATE_LIMIT_EXCEEDED with X-RateLimit-* and Retry-After headers.
 */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { renderError } from './errorHandler';

export function authRateLimiter(opts: { max: number; windowMs: number }): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.max,
    legacyHeaders: true,
    standardHeaders: false,
    handler: (_req, res) => {
      renderError(res, {
        status: 429,
        code: 'RATE_LIMIT_EXCEEDED',
        message: 'Too many authentication attempts, please try again later',
        family: 'E1',
      });
    },
  });
}
