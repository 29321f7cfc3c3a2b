/** Free slots, holds and time off for the dashboard (endpoints the original lacked). */
import type { RequestHandler } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { AvailabilityService } from '../../services/booking/availability.service';
import type { HoldService } from '../../services/booking/hold.service';
import { timeOffService } from '../../services/booking/timeOff.service';
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
import { asyncHandler } from '../asyncHandler';

export function schedulingController(availability: AvailabilityService, holds: HoldService) {
  const company = (res: Parameters<RequestHandler>[1]) => currentUser(res).companyObjectId;
  return {
    availability: asyncHandler(async (_req, res) => {
      const { step, ...q } = valid(res, 'query', AvailabilityQuery);
      res.json(await availability.slots(company(res), { ...q, ...(step ? { stepMinutes: step } : {}) }));
    }),
    createHold: asyncHandler(async (_req, res) => {
      res.status(201).json({ hold: await holds.create(company(res), { ...valid(res, 'body', HoldCreateBody), createdBy: 'web' }) });
    }),
    listHolds: asyncHandler(async (_req, res) => {
      res.json({ items: await holds.list(company(res), valid(res, 'query', HoldListQuery)) });
    }),
    releaseHold: asyncHandler(async (_req, res) => {
      res.json({ message: 'Hold released', hold: await holds.release(company(res), valid(res, 'params', IdParams).id) });
    }),
    listTimeOff: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', StaffTimeOffParams);
      res.json({ items: await timeOffService.list(company(res), id, valid(res, 'query', TimeOffListQuery)) });
    }),
    createTimeOff: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', StaffTimeOffParams);
      res.status(201).json(await timeOffService.create(company(res), id, valid(res, 'body', TimeOffBody)));
    }),
    updateTimeOff: asyncHandler(async (_req, res) => {
      const { id, timeOffId } = valid(res, 'params', TimeOffParams);
      res.json(await timeOffService.update(company(res), id, timeOffId, valid(res, 'body', TimeOffUpdateBody)));
    }),
    removeTimeOff: asyncHandler(async (_req, res) => {
      const { id, timeOffId } = valid(res, 'params', TimeOffParams);
      res.json({ message: 'Time off deleted', timeOff: await timeOffService.remove(company(res), id, timeOffId) });
    }),
  };
}
