/**
 * HTTP request metrics: petbuddy_http_request_duration_seconds{method,route,status}. The route is
 * the matched Express pattern (`/api/v1/appointments/:id`), never the URL, so ids never become
 * labels; a request no route matched (404s, rejections by router-level middleware) is `unmatched`.
 * /metrics itself is not measured. A request closed before its response finished counts as 499.
 */
import type { Express, Request, RequestHandler } from 'express';
import { mountedRoutes } from '../docs/routeTable';
import { appMetrics } from './families';
import { safely } from './registry';

const UNMATCHED = 'unmatched';
const CLIENT_CLOSED = '499';

interface RouteLike {
  path: unknown;
}

/**
 * The app's route patterns by their lower-cased form. req.baseUrl is the URL as the client typed
 * it, and Express matches paths case-insensitively, so `/API/v1/...` would otherwise make a new
 * series per spelling: a label is always one of the app's own patterns (or `unmatched`).
 */
const patternsByApp = new WeakMap<Express, Map<string, string>>();

function canonical(app: Express, typed: string): string {
  let patterns = patternsByApp.get(app);
  if (!patterns) {
    patterns = new Map(mountedRoutes(app).map((r) => [r.path.toLowerCase(), r.path]));
    patternsByApp.set(app, patterns);
  }
  return patterns.get(typed.toLowerCase().replace(/(.)\/$/, '$1')) ?? UNMATCHED;
}

/**
 * Remembers the route pattern when Express matches it. Reading req.route and req.baseUrl when the
 * response ends is not enough: a route that passes an error to next() leaves its routers, which
 * put req.baseUrl back to the parent's, so the app-level error handler would see `/:id` alone.
 */
function captureRoute(req: Request): () => string {
  let pattern = UNMATCHED;
  let route: RouteLike | undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: RouteLike | undefined) => {
      route = value;
      if (value) pattern = canonical(req.app as Express, `${req.baseUrl}${String(value.path)}`);
    },
  });
  return () => pattern;
}

export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    safely('petbuddy_http_request_duration_seconds', () => {
      const started = process.hrtime.bigint();
      const routeOf = captureRoute(req);
      let recorded = false;
      const record = (status: string): void => {
        if (recorded) return;
        recorded = true;
        safely('petbuddy_http_request_duration_seconds', () => {
          const route = routeOf();
          if (route === '/metrics') return;
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          appMetrics().httpDuration.observe({ method: req.method, route, status }, seconds);
        });
      };
      res.once('finish', () => record(String(res.statusCode)));
      res.once('close', () => record(res.writableFinished ? String(res.statusCode) : CLIENT_CLOSED));
    });
    next();
  };
}
