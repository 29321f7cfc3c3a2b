/** Everything under /api/v1. Each area adds its router here. */
import { Router } from 'express';
import type { AppDeps } from '../app';

export function apiRoutes(_deps: AppDeps): Router {
  const router = Router();
  return router;
}
