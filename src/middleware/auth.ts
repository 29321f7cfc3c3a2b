/**
 * authenticateToken: the `Authorization: Bearer <access token>` header (the scheme word is not
 * checked, as in the original), the user re-read on every request, refused when missing or
 * inactive, or when the token predates a password change. requireRole: any of the user's roles
 * (primary role or roles[]) must be allowed. Failures are E1 401/403 [COMPAT codes].
 */
import type { RequestHandler, Response } from 'express';
import type { Types } from 'mongoose';
import type { Config } from '../config/env';
import type { StaffRole } from '../models/constants';
import { createAuthUserLookup } from '../services/authUsers';
import { createTokenService } from '../services/token.service';
import { ForbiddenError, UnauthorizedError } from '../utils/errors';
import { setContextUser } from '../utils/requestContext';

export interface AuthUser {
  id: string;
  _id: Types.ObjectId;
  email: string;
  role: StaffRole;
  roles: StaffRole[];
  companyId: string;
  companyObjectId: Types.ObjectId;
  fullName: string;
  color: string | undefined;
}

/** The authenticated user of this request (after authenticateToken). */
export function currentUser(res: Response): AuthUser {
  const user = res.locals.user as AuthUser | undefined;
  if (!user) throw new UnauthorizedError('Authentication required');
  return user;
}

export interface VerifiedAccess {
  user: AuthUser;
  /** The token's issue and expiry times (epoch seconds). */
  iat: number;
  exp: number;
}

export type AccessVerifier = (token: string) => Promise<VerifiedAccess>;

/** The token's user is gone or deactivated (sockets answer it as "Unauthorized", not "Invalid token"). */
export class InactiveUserError extends UnauthorizedError {
  constructor() {
    super('User not found or inactive');
  }
}

/** Whether a token issued at `issuedAtMs` predates its user's last password change (1 s of clock slack). */
export function issuedBeforePasswordChange(issuedAtMs: number, changedAt: Date | null | undefined): boolean {
  return changedAt != null && issuedAtMs < changedAt.getTime() - 1000;
}

/** Verifies an access token and loads its active user; one per process, shared by REST and Socket.io. */
export function createAccessVerifier(config: Config): AccessVerifier {
  const tokens = createTokenService(config);
  const lookup = createAuthUserLookup(config.authUserCacheMs);
  return async (token) => {
    const claims = tokens.verifyAccess(token);
    if (!/^[0-9a-f]{24}$/i.test(claims.userId)) throw new UnauthorizedError('Invalid access token', 'INVALID_TOKEN');
    const user = await lookup(claims.userId);
    if (!user || user.isActive === false || !user.companyId) throw new InactiveUserError();
    if (issuedBeforePasswordChange(claims.iat * 1000, user.passwordChangedAt)) {
      throw new UnauthorizedError('Invalid access token', 'INVALID_TOKEN');
    }
    const roles = (user.roles?.length ? user.roles : [user.role]) as StaffRole[];
    return {
      iat: claims.iat,
      exp: claims.exp,
      user: {
        id: String(user._id),
        _id: user._id,
        email: user.email,
        role: user.role as StaffRole,
        roles: roles.includes(user.role as StaffRole) ? roles : [user.role as StaffRole, ...roles],
        companyId: String(user.companyId),
        companyObjectId: user.companyId,
        fullName: user.fullName,
        color: user.color ?? undefined,
      },
    };
  };
}

export function authenticateToken(verify: AccessVerifier): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    const token = header?.split(' ')[1];
    if (!token) {
      next(new UnauthorizedError('Access token is required'));
      return;
    }
    verify(token).then(({ user }) => {
      res.locals.user = user;
      setContextUser(user.id, user.companyId);
      next();
    }, next);
  };
}

export function requireRole(...allowed: StaffRole[]): RequestHandler {
  return (_req, res, next) => {
    const user = res.locals.user as AuthUser | undefined;
    if (!user) next(new UnauthorizedError('Authentication required'));
    else if (!user.roles.some((r) => allowed.includes(r))) next(new ForbiddenError('Insufficient permissions'));
    else next();
  };
}
