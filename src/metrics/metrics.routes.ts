/**
 * GET /metrics: the registry in Prometheus text format. With METRICS_TOKEN set it requires
 * `Authorization: Bearer <token>` (compared in constant time; 401 otherwise). With METRICS_PORT
 * set it is served only by the internal listener (src/metrics/listener.ts), not by the app's port.
 * In production the app's port serves it only behind a token: without one it is a 404.
 */
import { Router, type RequestHandler } from 'express';
import type { Config } from '../config/env';
import { safeEqual } from '../middleware/internalAuth';
import { UnauthorizedError } from '../utils/errors';
import { appMetrics } from './families';
import { metricsRegistry } from './registry';

const BEARER = /^Bearer\s+(.+)$/i;

/** Bearer-token guard; no token configured lets every request through. */
export function metricsGuard(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (token === undefined) return next();
    const given = BEARER.exec(req.get('authorization') ?? '')?.[1]?.trim();
    if (given && safeEqual(given, token)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    next(
      given
        ? new UnauthorizedError('Invalid metrics token', 'INVALID_METRICS_TOKEN')
        : new UnauthorizedError('A metrics token is required (Authorization: Bearer <token>)', 'METRICS_TOKEN_REQUIRED'),
    );
  };
}

export const serveMetrics: RequestHandler = async (_req, res, next) => {
  try {
    const registry = metricsRegistry();
    // Every family is listed from the first scrape, even before anything was recorded.
    appMetrics(registry);
    const body = await registry.metrics();
    // Sent as is: res.send() would rewrite the content type's parameters.
    res.setHeader('Content-Type', registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(body);
  } catch (err) {
    next(err);
  }
};

/** The route on the app's own port, where the configuration allows it there. */
export function metricsRoutes(config: Config): Router {
  const router = Router();
  const { token, port } = config.metrics;
  if (port !== undefined || (config.isProduction && token === undefined)) return router;
  router.get('/metrics', metricsGuard(token), serveMetrics);
  return router;
}
