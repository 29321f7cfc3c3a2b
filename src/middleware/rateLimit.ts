/**
 * Per-client-IP rate limiters (express-rate-limit, legacy X-RateLimit-* headers and Retry-After)
 * [COMPAT]:
 * - the auth limiter: one instance shared by login and register-manager, AUTH_RATE_LIMIT_MAX
 *   requests (5) per AUTH_RATE_LIMIT_WINDOW_MS (15 min), successful ones included; 429 E1
 *   RATE_LIMIT_EXCEEDED;
 * - the inbox limiters: one counter for all /messages routes, another for all /conversations
 *   routes (300 per 15 min); their 429 body is plain text, as the original sent it.
 * With `redis` (REDIS_URL) the counts are kept in Redis, so a limit holds across processes; while
 * Redis is unreachable each process counts in memory (rateLimitStore.ts). Without it, in memory.
 */
import type { RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import type { RedisConnection } from '../config/redis';
import { renderError } from './errorHandler';
import { redisOrMemoryStore } from './rateLimitStore';

interface LimitOptions {
  max: number;
  windowMs: number;
}

/** `name` keys the limiter's counters in Redis (`<prefix>rl:<name>:<client>`); unique per limiter. */
function limiter(
  name: string,
  opts: LimitOptions,
  redis: RedisConnection | undefined,
  extra: Pick<Options, 'handler'> & Partial<Pick<Options, 'keyGenerator'>>,
): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.max,
    legacyHeaders: true,
    standardHeaders: false,
    ...(redis ? { store: redisOrMemoryStore(redis, name) } : {}),
    ...extra,
  });
}

export function authRateLimiter(opts: LimitOptions, redis?: RedisConnection): RequestHandler {
  return limiter('auth', opts, redis, {
    handler: (_req, res) =>
      renderError(res, {
        status: 429,
        code: 'RATE_LIMIT_EXCEEDED',
        message: 'Too many authentication attempts, please try again later',
        family: 'E1',
      }),
  });
}

export function textRateLimiter(opts: LimitOptions & { name: string; message: string }, redis?: RedisConnection): RequestHandler {
  return limiter(opts.name, opts, redis, { handler: (_req, res: Response) => void res.status(429).type('text/html').send(opts.message) });
}

/**
 * The appointment routes' limiter (O-6): counted per signed-in user, not per IP, so a front desk
 * behind one NAT is not throttled as one client; the 429 is JSON (E1 RATE_LIMIT_EXCEEDED) the
 * dashboard can read, not the original's plain text.
 */
export function userRateLimiter(opts: LimitOptions & { name: string; message: string }, redis?: RedisConnection): RequestHandler {
  return limiter(opts.name, opts, redis, {
    keyGenerator: (req, res) => {
      const user = res.locals.user as { id?: string } | undefined;
      return user?.id ? `user:${user.id}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    handler: (_req, res) => renderError(res, { status: 429, code: 'RATE_LIMIT_EXCEEDED', message: opts.message, family: 'E1' }),
  });
}
