/**
 * JWTs. Access tokens: HS256 `{userId}` signed with JWT_ACCESS_SECRET, sent in the JSON body and
 * presented as a Bearer header. Refresh tokens: HS256 `{userId, typ:'refresh', fam, jti}` signed
 * with JWT_REFRESH_SECRET, carried in the httpOnly cookie; only their SHA-256 is stored.
 * Verification pins HS256 (so `alg: none` and other algorithms are refused).
 */
import { createHash, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../config/env';
import { AppError } from '../utils/errors';

export interface AccessClaims {
  userId: string;
  iat: number;
  exp: number;
}

export interface RefreshClaims {
  userId: string;
  fam: string;
  jti: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newFamilyId(): string {
  return randomUUID();
}

export function createTokenService(config: Config) {
  const { accessTtlMs, refreshTtlMs } = config.jwt;
  // Key objects made once: given a string, jsonwebtoken tries (and fails) to parse it as a public
  // key on every call, which costs more than the HMAC itself.
  const accessSecret = createSecretKey(Buffer.from(config.jwt.accessSecret, 'utf8'));
  const refreshSecret = createSecretKey(Buffer.from(config.jwt.refreshSecret, 'utf8'));
  return {
    signAccess(userId: string): { token: string; expiresAt: Date } {
      const token = jwt.sign({ userId }, accessSecret, { algorithm: 'HS256', expiresIn: Math.floor(accessTtlMs / 1000) });
      return { token, expiresAt: new Date(Date.now() + accessTtlMs) };
    },

    /** Throws 401 TOKEN_EXPIRED / INVALID_TOKEN in the E1 envelope (auth errors are always E1). */
    verifyAccess(token: string): AccessClaims {
      try {
        const claims = jwt.verify(token, accessSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
        if (typeof claims.userId !== 'string' || claims.typ === 'refresh') throw new jwt.JsonWebTokenError('bad claims');
        return { userId: claims.userId, iat: claims.iat ?? 0, exp: claims.exp ?? 0 };
      } catch (err) {
        if (err instanceof jwt.TokenExpiredError) throw new AppError(401, 'TOKEN_EXPIRED', 'Access token has expired', undefined, 'E1');
        throw new AppError(401, 'INVALID_TOKEN', 'Invalid access token', undefined, 'E1');
      }
    },

    signRefresh(userId: string, familyId: string): { token: string; hash: string; expiresAt: Date } {
      const token = jwt.sign({ userId, typ: 'refresh', fam: familyId, jti: randomBytes(12).toString('base64url') }, refreshSecret, {
        algorithm: 'HS256',
        expiresIn: Math.floor(refreshTtlMs / 1000),
      });
      return { token, hash: hashToken(token), expiresAt: new Date(Date.now() + refreshTtlMs) };
    },

    /** Expired, malformed or foreign refresh tokens are all 401 INVALID_REFRESH_TOKEN (not 500). */
    verifyRefresh(token: string): RefreshClaims {
      try {
        const c = jwt.verify(token, refreshSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
        if (c.typ !== 'refresh' || typeof c.userId !== 'string' || typeof c.fam !== 'string') throw new Error('bad claims');
        return { userId: c.userId, fam: c.fam, jti: String(c.jti) };
      } catch {
        throw invalidRefresh();
      }
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

export function invalidRefresh(): AppError {
  return new AppError(401, 'INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token');
}
