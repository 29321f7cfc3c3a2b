/**
 * The inbox limiters [COMPAT]: one counter per client IP shared by all /messages routes, another
 * by all /conversations routes (300 per 15 min by default); the 429 body is plain text with
 * Retry-After and the legacy X-RateLimit-* headers, as the original sent it.
 */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

export function textRateLimiter(opts: { max: number; windowMs: number; message: string }): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.max,
    legacyHeaders: true,
    standardHeaders: false,
    handler: (_req, res) => {
      res.status(429).type('text/html').send(opts.message);
    },
  });
}
