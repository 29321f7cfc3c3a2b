/**
 * Double-submit CSRF protection, off unless CSRF_ENABLED (the original had it disabled). When on,
 * GET /api/v1/csrf-token sets an httpOnly `csrfToken` cookie and returns the same token; every
 * state-changing request (not GET/HEAD/OPTIONS, login, register, or the Meta Bot's x-api-key
 * endpoints) must send it back in `X-CSRF-Token`. Tokens are HMAC-signed so a cookie planted by a
 * sibling domain is not enough.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Config } from '../config/env';
import { AppError } from '../utils/errors';
import { safeEqual } from './internalAuth';

export const CSRF_COOKIE = 'csrfToken';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const EXEMPT = [
  /^\/api\/v1\/auth\/login\/?$/,
  /^\/api\/v1\/auth\/register-manager\/?$/,
  /^\/api\/v1\/internal\//,
  /^\/api\/v1\/socket\/emit-message-internal\/?$/,
  // Meta's server calls it, authenticated by the signed_request's HMAC.
  /^\/api\/v1\/facebook\/data-deletion\/?$/,
];

function sign(config: Config, nonce: string): string {
  return createHmac('sha256', `csrf:${config.jwt.accessSecret}`).update(nonce).digest('base64url');
}

export function newCsrfToken(config: Config): string {
  const nonce = randomBytes(24).toString('base64url');
  return `${nonce}.${sign(config, nonce)}`;
}

function validToken(config: Config, token: string): boolean {
  const [nonce, mac] = token.split('.');
  return Boolean(nonce && mac) && safeEqual(mac!, sign(config, nonce!));
}

export function csrfProtection(config: Config): RequestHandler {
  return (req, _res, next) => {
    if (!config.csrfEnabled || SAFE_METHODS.has(req.method) || EXEMPT.some((re) => re.test(req.path))) {
      next();
      return;
    }
    const header = req.get(CSRF_HEADER);
    const cookie = (req.cookies as Record<string, string> | undefined)?.[CSRF_COOKIE];
    if (!header || !cookie || !safeEqual(header, cookie) || !validToken(config, header)) {
      next(new AppError(403, 'CSRF_TOKEN_INVALID', 'Invalid or missing CSRF token', undefined, 'E1'));
      return;
    }
    next();
  };
}

/** GET /api/v1/csrf-token (only mounted when CSRF_ENABLED). */
export function csrfTokenHandler(config: Config): RequestHandler {
  return (_req, res) => {
    const token = newCsrfToken(config);
    res.cookie(CSRF_COOKIE, token, { httpOnly: true, secure: config.cookie.secure, sameSite: config.cookie.sameSite, path: '/' });
    res.json({ csrfToken: token });
  };
}
