/**
 * buildApp(): the Express application (middleware stack and routes), without listening.
 * Order: request id context, helmet, CORS, cookies, bodies (10 MB, bounded depth and key count),
 * key sanitising, access log,
 * health, /api/v1, 404, errors.
 */
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { corsOptions } from './config/cors';
import type { Config } from './config/env';
import type { RedisConnection } from './config/redis';
import { bodyParsers } from './middleware/bodyParsers';
import { errorHandler, notFoundHandler } from './middleware/errorHandler';
import { httpLogger } from './middleware/httpLogger';
import { requestContext } from './middleware/requestContext';
import { sanitizeKeys } from './middleware/sanitize';
import { healthRoutes } from './routes/health.routes';
import { apiRoutes } from './routes';
import { apiDocsRoutes } from './docs/docs.routes';
import { httpMetrics } from './metrics/http';
import { metricsRoutes } from './metrics/metrics.routes';
import { csrfProtection } from './middleware/csrf';
import { createAccessVerifier, type AccessVerifier } from './middleware/auth';
import { createAuthService } from './services/auth.service';
import { createReadiness, type Readiness } from './services/health.service';
import { silentRealtime, type Realtime } from './socket/realtime';
import { systemClock, type Clock } from './utils/clock';
import type { AppDeps } from './deps';

export interface BuildAppOptions {
  config: Config;
  readiness?: Readiness;
  clock?: Clock;
  realtime?: Realtime;
  kickOutbox?: () => void;
  verifyAccess?: AccessVerifier;
  /** Redis shared by several processes (REDIS_URL). */
  redis?: RedisConnection;
  /** Extra routes mounted before the 404 handler (used by tests and tools). */
  extend?: (app: Express) => void;
}

export function buildApp(options: BuildAppOptions): Express {
  const clock = options.clock ?? systemClock;
  const deps: AppDeps = {
    config: options.config,
    readiness: options.readiness ?? createReadiness(),
    clock,
    realtime: options.realtime ?? silentRealtime,
    kickOutbox: options.kickOutbox ?? (() => undefined),
    verifyAccess: options.verifyAccess ?? createAccessVerifier(options.config),
    auth: createAuthService(options.config, clock),
    ...(options.redis ? { redis: options.redis } : {}),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.use(requestContext());
  app.use(httpMetrics());
  app.use(helmet());
  app.use(cors(corsOptions(deps.config.corsOrigins)));
  app.use(cookieParser());
  app.use(bodyParsers({ maxDepth: deps.config.bodyMaxDepth, maxKeys: deps.config.bodyMaxKeys }));
  app.use(sanitizeKeys());
  app.use(httpLogger());
  app.use(csrfProtection(deps.config));
  app.use(healthRoutes(deps.readiness));
  app.use(metricsRoutes(deps.config));
  app.use(apiDocsRoutes(app));
  app.use('/api/v1', apiRoutes(deps));
  options.extend?.(app);
  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}
