/** /api/v1/auth handlers: read validated input, call the auth service, set or clear the cookie. */
import type { Request, Response } from 'express';
import type { Config } from '../config/env';
import { valid } from '../middleware/validate';
import type { AuthService, ClientMeta } from '../services/auth.service';
import { AppError } from '../utils/errors';
import { LoginBody, RegisterBody, TokenBody } from '../validators/auth.schemas';
import { asyncHandler } from './asyncHandler';

export const REFRESH_COOKIE = 'refreshToken';

function meta(req: Request): ClientMeta {
  return { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') };
}

export function authController(auth: AuthService, config: Config) {
  const cookieOptions = { httpOnly: true, secure: config.cookie.secure, sameSite: config.cookie.sameSite, path: '/' } as const;
  const setCookie = (res: Response, token: string): void => {
    res.cookie(REFRESH_COOKIE, token, { ...cookieOptions, maxAge: config.jwt.refreshTtlMs });
  };
  const cookieToken = (req: Request): string | undefined =>
    (req.cookies as Record<string, string> | undefined)?.[REFRESH_COOKIE] || undefined;

  return {
    register: asyncHandler(async (req, res) => {
      const result = await auth.register(valid(res, 'body', RegisterBody), meta(req));
      setCookie(res, result.refresh.token);
      res.status(201).json(result.body);
    }),

    login: asyncHandler(async (req, res) => {
      const result = await auth.login(valid(res, 'body', LoginBody), meta(req));
      setCookie(res, result.refresh.token);
      res.status(200).json(result.body);
    }),

    /** Body token first, then the cookie [COMPAT]. */
    refresh: asyncHandler(async (req, res) => {
      const token = valid(res, 'body', TokenBody).refreshToken || cookieToken(req);
      if (!token) throw new AppError(400, 'MISSING_TOKEN', 'Refresh token is required');
      const result = await auth.refresh(token, meta(req));
      setCookie(res, result.refresh.token);
      res.status(200).json(result.body);
    }),

    /** Cookie first, then the body [COMPAT]; the cookie is cleared whatever happens. */
    logout: asyncHandler(async (req, res) => {
      const token = cookieToken(req) || valid(res, 'body', TokenBody).refreshToken;
      res.clearCookie(REFRESH_COOKIE, cookieOptions);
      if (token) await auth.logout(token);
      res.status(200).json({ message: 'Logout successful' });
    }),
  };
}
