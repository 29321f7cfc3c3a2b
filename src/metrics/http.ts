/** HTTP request metrics (placeholder until the metrics work lands). */
import type { RequestHandler } from 'express';

export function httpMetrics(): RequestHandler {
  return (_req, _res, next) => next();
}
