/**
 * The Meta Bot's internal booking API (docs/meta-bot-booking-api.md): each handler checks that the
 * named company exists and owns every other id, then calls the booking engine. Bookings,
 * reschedules and cancels announce their own `appointment:*` event.
 */
import { asyncHandler } from '../asyncHandler';
import { valid } from '../../middleware/validate';
import { createAppointmentService } from '../../services/booking/appointment.service';
import { createAvailabilityService } from '../../services/booking/availability.service';
import { createHoldService } from '../../services/booking/hold.service';
import {
  cancelForBot,
  requireAppointment,
  requireCompany,
  requireOwned,
  slotQuery,
  timeRanges,
} from '../../services/booking/internalBooking.service';
import { addPet, customerAppointments, locationsOf, petsOf, servicesOf, staffFor } from '../../services/booking/internalCatalogue.service';
import type { Realtime } from '../../socket/realtime';
import type { Clock } from '../../utils/clock';
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

export function internalBookingController(deps: { realtime: Realtime; clock: Clock }) {
  const appointments = createAppointmentService(deps);
  const availability = createAvailabilityService(deps);
  const holds = createHoldService(deps);

  return {
    check: asyncHandler(async (_req, res) => {
      const { companyId: company, ...q } = valid(res, 'body', CheckBody);
      const companyId = await requireCompany(company);
      await requireOwned(companyId, q);
      res.json({ success: true, ...(await availability.check(companyId, q)) });
    }),

    slots: asyncHandler(async (_req, res) => {
      const { companyId: company, ...q } = valid(res, 'query', SlotsQuery);
      const companyId = await requireCompany(company);
      await requireOwned(companyId, q);
      const result = await availability.slots(companyId, await slotQuery(companyId, q, deps.clock.now()));
      res.json({ success: true, ...result, time_ranges: timeRanges(result.items, result.timezone, result.stepMinutes) });
    }),

    book: asyncHandler(async (_req, res) => {
      const { companyId: company, ...input } = valid(res, 'body', BookBody);
      const companyId = await requireCompany(company);
      await requireOwned(companyId, input);
      const appointment = await appointments.create(companyId, { ...input, source: 'social' });
      res.status(201).json({ success: true, appointment });
    }),

    reschedule: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      const { companyId: company, customerId, ...input } = valid(res, 'body', RescheduleBody);
      const companyId = await requireCompany(company);
      await requireAppointment(companyId, id, customerId);
      await requireOwned(companyId, input);
      res.json({ success: true, appointment: await appointments.reschedule(companyId, id, input) });
    }),

    cancel: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      const { companyId: company, ...b } = valid(res, 'body', CancelBody);
      const companyId = await requireCompany(company);
      res.json({ success: true, appointment: await cancelForBot(appointments, companyId, id, b) });
    }),

    customerAppointments: asyncHandler(async (_req, res) => {
      const { customerId } = valid(res, 'params', CustomerParams);
      const { companyId: company, ...q } = valid(res, 'query', AppointmentsQuery);
      const companyId = await requireCompany(company);
      await requireOwned(companyId, { customerId });
      const list = await customerAppointments(companyId, customerId, q, deps.clock.now());
      res.json({ success: true, appointments: list, count: list.length });
    }),

    staff: asyncHandler(async (_req, res) => {
      const { companyId: company, ...q } = valid(res, 'query', StaffQuery);
      const companyId = await requireCompany(company);
      await requireOwned(companyId, q);
      const staff = await staffFor(companyId, q, availability);
      res.json({ success: true, staff, count: staff.length });
    }),

    locations: asyncHandler(async (_req, res) => {
      const companyId = await requireCompany(valid(res, 'query', CompanyQuery).companyId);
      res.json({ success: true, locations: await locationsOf(companyId) });
    }),

    services: asyncHandler(async (_req, res) => {
      const q = valid(res, 'query', ServicesQuery);
      const companyId = await requireCompany(q.companyId);
      res.json({ success: true, services: await servicesOf(companyId, q.species) });
    }),

    pets: asyncHandler(async (_req, res) => {
      const { customerId } = valid(res, 'params', CustomerParams);
      const companyId = await requireCompany(valid(res, 'query', CompanyQuery).companyId);
      await requireOwned(companyId, { customerId });
      res.json({ success: true, pets: await petsOf(companyId, customerId) });
    }),

    addPet: asyncHandler(async (_req, res) => {
      const { customerId } = valid(res, 'params', CustomerParams);
      const { companyId: company, ...fields } = valid(res, 'body', PetBody);
      const companyId = await requireCompany(company);
      await requireOwned(companyId, { customerId });
      res.status(201).json({ success: true, pet: await addPet(companyId, customerId, fields) });
    }),

    createHold: asyncHandler(async (_req, res) => {
      const { companyId: company, ...input } = valid(res, 'body', HoldBody);
      const companyId = await requireCompany(company);
      await requireOwned(companyId, input);
      const hold = await holds.create(companyId, { ...input, createdBy: 'assistant' });
      res.status(201).json({ success: true, hold });
    }),

    releaseHold: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      const companyId = await requireCompany(valid(res, 'query', CompanyQuery).companyId);
      await requireOwned(companyId, { holdId: id });
      res.json({ success: true, hold: await holds.release(companyId, id) });
    }),

    holds: asyncHandler(async (_req, res) => {
      const { companyId: company, customerId } = valid(res, 'query', HoldsQuery);
      const companyId = await requireCompany(company);
      await requireOwned(companyId, { customerId });
      const list = await holds.list(companyId, customerId ? { customerId } : {});
      res.json({ success: true, holds: list, count: list.length });
    }),
  };
}

export type InternalBookingController = ReturnType<typeof internalBookingController>;
