/** /api/v1/appointments handlers [COMPAT envelopes of §3]; the services hold the rules. */
import type { RequestHandler, Response } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { AppointmentService } from '../../services/booking/appointment.service';
import type { AppointmentQueries, Viewer } from '../../services/booking/appointmentQuery.service';
import { ForbiddenError } from '../../utils/errors';
import { IdParams } from '../../validators/common.schemas';
import {
  AppointmentCancelBody,
  AppointmentCreateBody,
  AppointmentListQuery,
  AppointmentStatusBody,
  AppointmentUpdateBody,
  CustomerAppointmentsParams,
  CustomerAppointmentsQuery,
  SORT_FIELDS,
} from '../../validators/booking/appointment.schemas';
import { asyncHandler } from '../asyncHandler';

/** Managers and receptionists run the book; other staff see and progress only their own appointments. */
export function managesBookings(res: Response): boolean {
  return currentUser(res).roles.some((r) => r === 'manager' || r === 'receptionist');
}

const viewerOf = (res: Response): Viewer => (managesBookings(res) ? {} : { ownOnly: currentUser(res).id });

type Handlers = 'list' | 'create' | 'get' | 'update' | 'setStatus' | 'forCustomer' | 'cancel';

export function appointmentController(service: AppointmentService, queries: AppointmentQueries): Record<Handlers, RequestHandler> {
  return {
    list: asyncHandler(async (_req, res) => {
      const q = valid(res, 'query', AppointmentListQuery);
      const sortName = q.sortBy ?? q.sort ?? 'createdAt';
      // B-10: the direction asked for is the direction used (default: newest first).
      const order = q.sortOrder ?? q.dir ?? 'desc';
      const { sortBy: _s, sort: _a, sortOrder: _o, dir: _d, ...filters } = q;
      res.json(
        await queries.list(
          currentUser(res).companyObjectId,
          { ...filters, sortField: SORT_FIELDS[sortName] ?? 'createdAt', ascending: order === 'asc' },
          viewerOf(res),
        ),
      );
    }),
    create: asyncHandler(async (_req, res) => {
      const user = currentUser(res);
      const appointment = await service.create(user.companyObjectId, valid(res, 'body', AppointmentCreateBody), { userId: user.id });
      res.status(201).json({ message: 'Appointment created successfully', appointment });
    }),
    get: asyncHandler(async (_req, res) => {
      res.json(await queries.get(currentUser(res).companyObjectId, valid(res, 'params', IdParams).id, viewerOf(res)));
    }),
    update: asyncHandler(async (_req, res) => {
      const user = currentUser(res);
      const { id } = valid(res, 'params', IdParams);
      const { status, reason, ...move } = valid(res, 'body', AppointmentUpdateBody);
      const own = viewerOf(res).ownOnly;
      let appointment;
      if (status) {
        appointment = await service.setStatus(user.companyObjectId, id, { status, reason, userId: user.id }, own ? { staffId: own } : {});
      } else {
        // Staff who do not manage bookings may move their own appointments through the status only.
        if (own) throw new ForbiddenError('Insufficient permissions');
        appointment = await service.reschedule(user.companyObjectId, id, move);
      }
      res.json({ message: 'Appointment updated successfully', appointment });
    }),
    setStatus: asyncHandler(async (_req, res) => {
      const user = currentUser(res);
      const { status, reason } = valid(res, 'body', AppointmentStatusBody);
      const own = viewerOf(res).ownOnly;
      const appointment = await service.setStatus(
        user.companyObjectId,
        valid(res, 'params', IdParams).id,
        { status, reason, userId: user.id },
        own ? { staffId: own } : {},
      );
      res.json({ message: 'Appointment status updated successfully', appointment });
    }),
    forCustomer: asyncHandler(async (_req, res) => {
      const q = valid(res, 'query', CustomerAppointmentsQuery);
      res.json(
        await queries.forCustomer(
          currentUser(res).companyObjectId,
          valid(res, 'params', CustomerAppointmentsParams).customerId,
          { status: q.status, upcoming: q.upcoming === 'true' || q.upcoming === '1' },
          viewerOf(res),
        ),
      );
    }),
    cancel: asyncHandler(async (_req, res) => {
      const user = currentUser(res);
      const { reason } = valid(res, 'body', AppointmentCancelBody);
      const appointment = await service.setStatus(user.companyObjectId, valid(res, 'params', IdParams).id, {
        status: 'canceled',
        reason,
        userId: user.id,
      });
      res.json({ message: 'Appointment canceled successfully', appointment });
    }),
  };
}
