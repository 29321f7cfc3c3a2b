/** /api/v1/catalog (staff; the other catalog areas mount here as they land). Roles per contract §2.8. */
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { staffController } from '../controllers/staff.controller';
import { authenticateToken, requireRole } from '../middleware/auth';
import { sameCompany } from '../middleware/tenantGuard';
import { validate } from '../middleware/validate';
import { createStaffService } from '../services/staff.service';
import { IdParams } from '../validators/common.schemas';
import { StaffCreateBody, StaffListQuery, StaffUpdateBody, staffPrecheck } from '../validators/staff.schemas';

export function catalogRoutes(deps: AppDeps): Router {
  const router = Router();
  const { auth } = deps;
  const staff = staffController(
    createStaffService({
      sessions: auth.sessions,
      hashPassword: auth.hashPassword,
      disconnectUser: (id) => deps.realtime.disconnectUser(id),
    }),
  );
  router.use(authenticateToken(deps.verifyAccess), sameCompany());
  router.get('/staff', requireRole('manager', 'receptionist'), validate({ query: StaffListQuery }), staff.list);
  router.post('/staff', requireRole('manager'), staffPrecheck('create'), validate({ body: StaffCreateBody }), staff.create);
  router.put(
    '/staff/:id',
    requireRole('manager'),
    staffPrecheck('update'),
    validate({ params: IdParams, body: StaffUpdateBody }),
    staff.update,
  );
  router.delete('/staff/:id', requireRole('manager'), validate({ params: IdParams }), staff.remove);
  return router;
}
