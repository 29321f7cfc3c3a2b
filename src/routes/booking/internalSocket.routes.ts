/**
 * I1–I3 [COMPAT]: POST /api/v1/internal/socket/appointment-{created,updated,canceled} with the
 * x-api-key (E4 errors) and `{appointmentId}` (400 VALIDATION_ERROR in E1, as the original's
 * validators answered). They now really emit to the appointment's company (B-3).
 */
import { Router } from 'express';
import type { AppDeps } from '../../deps';
import { internalSocketController } from '../../controllers/booking/internalSocket.controller';
import { errorEnvelope } from '../../middleware/errorHandler';
import { authenticateInternalService } from '../../middleware/internalAuth';
import { validate } from '../../middleware/validate';
import { createAppointmentService } from '../../services/booking/appointment.service';
import { SocketBody } from '../../validators/booking/internalBooking.schemas';

export function internalSocketRoutes(deps: AppDeps): Router {
  const router = Router();
  const c = internalSocketController(createAppointmentService({ realtime: deps.realtime, clock: deps.clock }));
  router.use(errorEnvelope('E4'), authenticateInternalService(deps.config.internalApiKey));
  router.post('/appointment-created', validate({ body: SocketBody }), c.emit('appointment:created'));
  router.post('/appointment-updated', validate({ body: SocketBody }), c.emit('appointment:updated'));
  router.post('/appointment-canceled', validate({ body: SocketBody }), c.emit('appointment:canceled'));
  return router;
}
