import { Router } from 'express';
import { health, ready } from '../controllers/health.controller';
import type { Readiness } from '../services/health.service';

export function healthRoutes(readiness: Readiness): Router {
  const router = Router();
  router.get('/health', health);
  router.get('/ready', ready(readiness));
  return router;
}
