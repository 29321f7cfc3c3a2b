/**
 * CORS for REST and Socket.io alike: requests without an Origin are allowed; an Origin on the
 * allow-list (CORS_ORIGINS plus FRONTEND_URL) is reflected with credentials; any other Origin is
 * refused with 403 CORS_NOT_ALLOWED (the original answered 500).
 */
import type { CorsOptions } from 'cors';
import { AppError } from '../utils/errors';

export class CorsRejectedError extends AppError {
  constructor(origin: string) {
    super(403, 'CORS_NOT_ALLOWED', `Origin ${origin} is not allowed`);
  }
}

export function isOriginAllowed(origins: readonly string[], origin: string | undefined): boolean {
  return !origin || origins.includes(origin);
}

export function corsOptions(origins: readonly string[]): CorsOptions {
  return {
    origin: (origin, callback) => {
      if (isOriginAllowed(origins, origin)) callback(null, true);
      else callback(new CorsRejectedError(origin!));
    },
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Cookie', 'X-Request-Id', 'X-CSRF-Token'],
    exposedHeaders: ['Set-Cookie', 'X-Request-Id', 'Retry-After'],
    optionsSuccessStatus: 204,
  };
}
