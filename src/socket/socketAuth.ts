/**
 * Handshake authentication [COMPAT messages]: the access token from `auth.token`; rejections reach
 * the client as connect_error "Authentication required" (no token), "Unauthorized" (user missing
 * or inactive) or "Invalid token" (bad or expired token, or any failure).
 */
import type { ExtendedError } from 'socket.io';
import { InactiveUserError, type AccessVerifier } from '../middleware/auth';
import { AppError } from '../utils/errors';
import { moduleLogger } from '../utils/logger';
import type { AppSocket } from './handlers';

const log = moduleLogger('socket-auth');

export function socketAuthMiddleware(verify: AccessVerifier) {
  return (socket: AppSocket, next: (err?: ExtendedError) => void): void => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) {
      next(new Error('Authentication required'));
      return;
    }
    verify(token).then(
      ({ user, iat, exp }) => {
        socket.data = { userId: user.id, companyId: user.companyId, role: user.role, tokenIat: iat * 1000, tokenExp: exp * 1000 };
        next();
      },
      (err: unknown) => {
        if (!(err instanceof AppError)) log.warn('socket authentication failed', { error: (err as Error).message });
        next(new Error(err instanceof InactiveUserError ? 'Unauthorized' : 'Invalid token'));
      },
    );
  };
}
