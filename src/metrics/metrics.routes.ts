/** GET /metrics (placeholder until the metrics work lands). */
import { Router } from 'express';
import type { Config } from '../config/env';

export function metricsRoutes(_config: Config): Router {
  return Router();
}
