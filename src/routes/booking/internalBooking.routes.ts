/**
 * The Meta Bot's internal booking API under /api/v1/internal/booking (docs/meta-bot-booking-api.md):
 * the x-api-key, then the E4 envelope `{success:false, error, code, ...details}` for every error,
 * bad input included (400 VALIDATION_ERROR with `details`).
 */
import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { internalBookingController } from '../../controllers/booking/internalBooking.controller';
import { errorEnvelope } from '../../middleware/errorHandler';
import { authenticateInternalService } from '../../middleware/internalAuth';
import { validate, validating, type Schemas } from '../../middleware/validate';
import { AppError, ValidationError } from '../../utils/errors';
import {
  AppointmentsQuery,
  BookBody,
  CancelBody,
  CheckBody,
  CompanyQuery,
  CustomerParams,
  HoldBody,
  HoldsQuery,
  IdParams,
  PetBody,
  RescheduleBody,
  ServicesQuery,
  SlotsQuery,
  StaffQuery,
} from '../../validators/booking/internalBooking.schemas';

/** validate(), answering in this API's E4 envelope rather than E1. */
function validateE4(schemas: Schemas): RequestHandler {
  const inner = validate(schemas);
  return validating(
    (req, res, next) =>
      inner(req, res, (err?: unknown) =>
        next(err instanceof ValidationError ? new AppError(err.status, err.code, err.message, err.details, 'E4') : err),
      ),
    schemas,
  );
}

export function internalBookingRoutes(deps: AppDeps): Router {
  const router = Router();
  const c = internalBookingController({ realtime: deps.realtime, clock: deps.clock });
  router.use(errorEnvelope('E4'), authenticateInternalService(deps.config.internalApiKey));

  router.post('/availability/check', validateE4({ body: CheckBody }), c.check);
  router.get('/slots', validateE4({ query: SlotsQuery }), c.slots);

  router.post('/appointments', validateE4({ body: BookBody }), c.book);
  router.put('/appointments/:id', validateE4({ params: IdParams, body: RescheduleBody }), c.reschedule);
  router.post('/appointments/:id/cancel', validateE4({ params: IdParams, body: CancelBody }), c.cancel);

  router.get(
    '/customers/:customerId/appointments',
    validateE4({ params: CustomerParams, query: AppointmentsQuery }),
    c.customerAppointments,
  );
  router.get('/customers/:customerId/pets', validateE4({ params: CustomerParams, query: CompanyQuery }), c.pets);
  router.post('/customers/:customerId/pets', validateE4({ params: CustomerParams, body: PetBody }), c.addPet);

  router.get('/staff', validateE4({ query: StaffQuery }), c.staff);
  router.get('/locations', validateE4({ query: CompanyQuery }), c.locations);
  router.get('/services', validateE4({ query: ServicesQuery }), c.services);

  router.post('/holds', validateE4({ body: HoldBody }), c.createHold);
  router.get('/holds', validateE4({ query: HoldsQuery }), c.holds);
  router.delete('/holds/:id', validateE4({ params: IdParams, query: CompanyQuery }), c.releaseHold);
  return router;
}
