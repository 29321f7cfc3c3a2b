/**
 * Per-client-IP rate limiters (express-rate-limit, in memory, legacy X-RateLimit-* headers and
 * Retry-After) [COMPAT]:
 * - the auth limiter: one instance shared by login and register-manager, AUTH_RATE_LIMIT_MAX
 *   requests (5) per AUTH_RATE_LIMIT_WINDOW_MS (15 min), successful ones included; 429 E1
 *   RATE_LIMIT_EXCEEDED;
 * - the inbox limiters: one counter for all /messages routes, another for all /conversations
 *   routes (300 per 15 min); their 429 body is plain text, as the original sent it.
 */
import type { RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { renderError } from './errorHandler';

function limiter(opts: { max: number; windowMs: number }, refuse: (res: Response) => void): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.max,
    legacyHeaders: true,
    standardHeaders: false,
    handler: (_req, res) => refuse(res),
  });
}

export function authRateLimiter(opts: { max: number; windowMs: number }): RequestHandler {
  return limiter(opts, (res) =>
    renderError(res, {
      status: 429,
      code: 'RATE_LIMIT_EXCEEDED',
      message: 'Too many authentication attempts, please try again later',
      family: 'E1',
    }),
  );
}

export function textRateLimiter(opts: { max: number; windowMs: number; message: string }): RequestHandler {
  return limiter(opts, (res) => void res.status(429).type('text/html').send(opts.message));
}

/**
 * The appointment routes' limiter (O-6): counted per signed-in user, not per IP, so a front desk
 * behind one NAT is not throttled as one client; the 429 is JSON (E1 RATE_LIMIT_EXCEEDED) the
 * dashboard can read, not the original's plain text.
 */
export function userRateLimiter(opts: { max: number; windowMs: number; message: string }): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.max,
    legacyHeaders: true,
    standardHeaders: false,
    keyGenerator: (req, res) => {
      const user = res.locals.user as { id?: string } | undefined;
      return user?.id ? `user:${user.id}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    handler: (_req, res) => renderError(res, { status: 429, code: 'RATE_LIMIT_EXCEEDED', message: opts.message, family: 'E1' }),
  });
}
