/**
 * Handshake authentication [COMPAT messages]: the access token from `auth.token`; rejections reach
 * the client as connect_error "Authentication required" (no token), "Unauthorized" (user missing
 * or inactive) or "Invalid token" (bad or expired token, or any failure).
 */
import type { ExtendedError, Socket } from 'socket.io';
import type { Config } from '../config/env';
import { createAccessVerifier } from '../middleware/auth';
import { createTokenService } from '../services/token.service';
import { AppError } from '../utils/errors';
import { moduleLogger } from '../utils/logger';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events/types';

const log = moduleLogger('socket-auth');

type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export function socketAuthMiddleware(config: Config) {
  const verify = createAccessVerifier(config);
  const tokens = createTokenService(config);
  return (socket: AppSocket, next: (err?: ExtendedError) => void): void => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) {
      next(new Error('Authentication required'));
      return;
    }
    let exp: number;
    try {
      exp = tokens.verifyAccess(token).exp * 1000;
    } catch {
      next(new Error('Invalid token'));
      return;
    }
    verify(token).then(
      (user) => {
        socket.data = { userId: user.id, companyId: user.companyId, role: user.role, tokenExp: exp };
        next();
      },
      (err: unknown) => {
        const unauthorized = err instanceof AppError && err.code === 'UNAUTHORIZED';
        if (!unauthorized) log.warn('socket authentication failed', { error: (err as Error).message });
        next(new Error(unauthorized ? 'Unauthorized' : 'Invalid token'));
      },
    );
  };
}
