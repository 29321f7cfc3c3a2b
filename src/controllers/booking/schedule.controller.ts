/** Staff schedule (S1, S2) and company working hours (W1, W2) handlers; envelopes per contract §4 [COMPAT]. */
import type { RequestHandler } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { StaffScheduleService } from '../../services/booking/staffSchedule.service';
import type { WorkingHoursService } from '../../services/booking/workingHours.service';
import { StaffScheduleBody, StaffScheduleQuery, WorkHoursBody } from '../../validators/booking/schedule.schemas';
import { IdParams } from '../../validators/common.schemas';
import { asyncHandler } from '../asyncHandler';

export function staffScheduleController(schedules: StaffScheduleService): Record<'get' | 'replace', RequestHandler> {
  return {
    get: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      res.json({ items: await schedules.get(currentUser(res).companyObjectId, id, valid(res, 'query', StaffScheduleQuery)) });
    }),
    replace: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      await schedules.replace(currentUser(res).companyObjectId, id, valid(res, 'body', StaffScheduleBody));
      res.json({ ok: true });
    }),
  };
}

export function workingHoursController(hours: WorkingHoursService): Record<'get' | 'replace', RequestHandler> {
  return {
    get: asyncHandler(async (_req, res) => {
      res.json({ workHours: await hours.get(currentUser(res).companyObjectId) });
    }),
    replace: asyncHandler(async (_req, res) => {
      const workHours = await hours.replace(currentUser(res).companyObjectId, valid(res, 'body', WorkHoursBody).workHours);
      res.json({ workHours, message: 'Working hours updated successfully' });
    }),
  };
}
