/** /api/v1/locations: read by any authenticated user, changed by managers (§2.8). */
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { locationController } from '../controllers/location.controller';
import { authenticateToken, requireRole } from '../middleware/auth';
import { sameCompany } from '../middleware/tenantGuard';
import { validate } from '../middleware/validate';
import { createLocationService } from '../services/location.service';
import { IdParams } from '../validators/common.schemas';
import { LocationCreateBody, LocationUpdateBody, locationPrecheck } from '../validators/location.schemas';

export function locationRoutes(deps: AppDeps): Router {
  const router = Router();
  const c = locationController(createLocationService());
  router.use(authenticateToken(deps.verifyAccess), sameCompany());
  router.get('/', c.list);
  router.get('/:id', validate({ params: IdParams }), c.get);
  router.post('/', requireRole('manager'), locationPrecheck(), validate({ body: LocationCreateBody }), c.create);
  router.put('/:id', requireRole('manager'), validate({ params: IdParams, body: LocationUpdateBody }), c.update);
  router.delete('/:id', requireRole('manager'), validate({ params: IdParams }), c.remove);
  return router;
}
