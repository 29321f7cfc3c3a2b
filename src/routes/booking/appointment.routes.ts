/**
 * /api/v1/appointments (A1–A7). Authentication runs first (S-12: the original validated before
 * authenticating), then the company guard, the per-user limiter (O-6) and the role. Groomers may
 * read and progress their own appointments (S-6); managers and receptionists book and cancel.
 */
import { SERVICE_PROVIDER_ROLES } from '../../models/constants';
import { Router } from 'express';
import type { AppDeps } from '../../deps';
import { appointmentController } from '../../controllers/booking/appointment.controller';
import { authenticateToken, requireRole } from '../../middleware/auth';
import { userRateLimiter } from '../../middleware/rateLimit';
import { sameCompany } from '../../middleware/tenantGuard';
import { validate } from '../../middleware/validate';
import type { AppointmentService } from '../../services/booking/appointment.service';
import { createAppointmentQueries } from '../../services/booking/appointmentQuery.service';
import { IdParams } from '../../validators/common.schemas';
import {
  AppointmentCancelBody,
  AppointmentCreateBody,
  AppointmentListQuery,
  AppointmentStatusBody,
  AppointmentUpdateBody,
  CustomerAppointmentsParams,
  CustomerAppointmentsQuery,
} from '../../validators/booking/appointment.schemas';

const BOOKERS = ['manager', 'receptionist'] as const;
/** Service providers (groomers, and vets, vet technicians and trainers, B49) see and progress their own appointments. */
const STAFF = ['manager', 'receptionist', ...SERVICE_PROVIDER_ROLES] as const;

export function appointmentRoutes(deps: AppDeps, service: AppointmentService): Router {
  const router = Router();
  const c = appointmentController(service, createAppointmentQueries({ clock: deps.clock }));
  router.use(
    authenticateToken(deps.verifyAccess),
    sameCompany(),
    userRateLimiter(
      { ...deps.config.appointmentRateLimit, name: 'appointments', message: 'Too many appointment requests, please try again later.' },
      deps.redis,
    ),
  );
  router.get('/', requireRole(...STAFF), validate({ query: AppointmentListQuery }), c.list);
  router.post('/', requireRole(...BOOKERS), validate({ body: AppointmentCreateBody }), c.create);
  router.get(
    '/customer/:customerId',
    requireRole(...STAFF),
    validate({ params: CustomerAppointmentsParams, query: CustomerAppointmentsQuery }),
    c.forCustomer,
  );
  router.get('/:id', requireRole(...STAFF), validate({ params: IdParams }), c.get);
  router.put('/:id', requireRole(...STAFF), validate({ params: IdParams, body: AppointmentUpdateBody }), c.update);
  router.patch('/:id/status', requireRole(...STAFF), validate({ params: IdParams, body: AppointmentStatusBody }), c.setStatus);
  router.delete('/:id', requireRole(...BOOKERS), validate({ params: IdParams, body: AppointmentCancelBody }), c.cancel);
  return router;
}
