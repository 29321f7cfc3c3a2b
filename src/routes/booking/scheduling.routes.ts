/**
 * New booking endpoints: `GET /availability` (free slots, any booking role), `/holds`
 * (managers and receptionists) and `/catalog/staff/:id/time-off` (read: managers and
 * receptionists; write: managers).
 */
import { SERVICE_PROVIDER_ROLES } from '../../models/constants';
import { Router } from 'express';
import type { AppDeps } from '../../deps';
import { schedulingController } from '../../controllers/booking/scheduling.controller';
import { authenticateToken, requireRole } from '../../middleware/auth';
import { sameCompany } from '../../middleware/tenantGuard';
import { validate } from '../../middleware/validate';
import { createAvailabilityService } from '../../services/booking/availability.service';
import { createHoldService } from '../../services/booking/hold.service';
import { IdParams } from '../../validators/common.schemas';
import {
  AvailabilityQuery,
  HoldCreateBody,
  HoldListQuery,
  StaffTimeOffParams,
  TimeOffBody,
  TimeOffListQuery,
  TimeOffParams,
  TimeOffUpdateBody,
} from '../../validators/booking/appointment.schemas';

export function schedulingRoutes(deps: AppDeps): { availability: Router; holds: Router; timeOff: Router } {
  const c = schedulingController(createAvailabilityService({ clock: deps.clock }), createHoldService({ clock: deps.clock }));
  const guard = [authenticateToken(deps.verifyAccess), sameCompany()];

  const availability = Router();
  availability.get(
    '/',
    ...guard,
    requireRole('manager', 'receptionist', ...SERVICE_PROVIDER_ROLES),
    validate({ query: AvailabilityQuery }),
    c.availability,
  );

  const holds = Router();
  holds.use(...guard, requireRole('manager', 'receptionist'));
  holds.get('/', validate({ query: HoldListQuery }), c.listHolds);
  holds.post('/', validate({ body: HoldCreateBody }), c.createHold);
  holds.delete('/:id', validate({ params: IdParams }), c.releaseHold);

  // Mounted at /catalog/staff beside the staff router: guards per route, so other /catalog/staff
  // paths pass through untouched.
  const timeOff = Router();
  const path = '/:id/time-off';
  const reader = [...guard, requireRole('manager', 'receptionist')];
  const writer = [...guard, requireRole('manager')];
  timeOff.get(path, ...reader, validate({ params: StaffTimeOffParams, query: TimeOffListQuery }), c.listTimeOff);
  timeOff.post(path, ...writer, validate({ params: StaffTimeOffParams, body: TimeOffBody }), c.createTimeOff);
  timeOff.put(`${path}/:timeOffId`, ...writer, validate({ params: TimeOffParams, body: TimeOffUpdateBody }), c.updateTimeOff);
  timeOff.delete(`${path}/:timeOffId`, ...writer, validate({ params: TimeOffParams }), c.removeTimeOff);
  return { availability, holds, timeOff };
}
