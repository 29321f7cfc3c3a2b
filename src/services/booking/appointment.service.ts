/**
 * Booking, rescheduling and status changes. Each change is one transaction that first claims the
 * guards of the staff member and resource types it books (guards.ts), then evaluates the rules on
 * that snapshot (rules.ts), then writes the appointment and its reservations. Events go out once,
 * after the commit.
 */
import type { ClientSession, Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { BookingHold } from '../../models/BookingHold';
import { Contact } from '../../models/Contact';
import type { AppointmentStatus } from '../../models/constants';
import { ResourceReservation } from '../../models/ResourceReservation';
import type { Realtime } from '../../socket/realtime';
import type { AppointmentEventName } from '../../socket/events/types';
import type { Clock } from '../../utils/clock';
import { AppError, NotFoundError } from '../../utils/errors';
import { calendarSyncOn, newSyncState, withSyncMark } from '../integrations/google/syncMark';
import { inTransaction } from '../tenant';
import { loadView, limitedView, type AppointmentView } from './appointmentView';
import { prepareClaim, resolveTargets } from './decide';
import { BookingValidationError } from './errors';
import { MAX_BOOKING_MS } from './facts';
import { customerAndPet } from './refs';
import type { Interval } from './rules';
import { setStatusIn, type StatusChange, type StatusScope } from './status';
import { MINUTE } from './time';

type Id = Types.ObjectId | string;

export interface BookInput {
  customerId: string;
  petId: string;
  serviceId?: string;
  serviceItemId: string;
  staffId: string;
  locationId: string;
  start: Date;
  end?: Date;
  notes?: string;
  source?: 'online' | 'phone' | 'walk_in' | 'social';
  /** A hold of this customer that the booking replaces. */
  holdId?: string;
}

export interface RescheduleInput {
  start?: Date;
  end?: Date;
  staffId?: string;
  serviceId?: string;
  serviceItemId?: string;
  locationId?: string;
  notes?: string;
}

export interface Actor {
  userId?: string;
}

/** How far in the past a booking may start (a walk-in entered a few minutes late). */
export const PAST_GRACE_MS = 15 * MINUTE;

export function createAppointmentService(deps: { realtime: Realtime; clock: Clock }) {
  const announce = (companyId: Id, event: AppointmentEventName, view: AppointmentView): void => {
    deps.realtime.appointment(String(companyId), event, { full: { appointment: view }, limited: { appointment: limitedView(view) } });
  };

  /** The window's own rules: a real interval, at most a day, not in the past, as long as the service. */
  function checkWindow(iv: Interval, minMinutes: number, opts: { allowPast?: boolean } = {}): void {
    const problems: string[] = [];
    if (!(iv.end > iv.start)) problems.push('End time must be after start time');
    else if (iv.end - iv.start > MAX_BOOKING_MS) problems.push('An appointment cannot last longer than a day');
    else if (iv.end - iv.start < minMinutes * MINUTE)
      problems.push(`The appointment must last at least the service's ${minMinutes} minutes`);
    if (!opts.allowPast && iv.start < deps.clock.now().getTime() - PAST_GRACE_MS) problems.push('Appointment start time is in the past');
    if (problems.length) throw new BookingValidationError(problems);
  }

  async function create(companyId: Types.ObjectId, input: BookInput, actor: Actor = {}): Promise<AppointmentView> {
    const [targets, syncOn] = await Promise.all([resolveTargets(companyId, input), calendarSyncOn(companyId)]);
    const { location, service, item, staff } = targets;
    const { pet } = await customerAndPet(companyId, input.customerId, input.petId, service.species);
    const start = input.start.getTime();
    const iv = { start, end: input.end ? input.end.getTime() : start + item.durationMinutes * MINUTE };
    checkWindow(iv, item.durationMinutes);
    const required = item.requiredResources ?? [];
    const decide = await prepareClaim(targets, {
      iv,
      now: deps.clock.now().getTime(),
      petSpecies: pet.species,
      customerId: input.customerId,
      prefix: 'Booking',
    });

    const id = await inTransaction(async (session) => {
      await decide(session);
      const [appointment] = await Appointment.create(
        [
          {
            companyId,
            locationId: location._id,
            customerId: input.customerId,
            petId: input.petId,
            serviceId: service._id,
            serviceItemId: item._id,
            staffId: staff._id,
            start: new Date(iv.start),
            end: new Date(iv.end),
            status: 'scheduled',
            source: input.source ?? 'online',
            ...(input.notes ? { notes: input.notes } : {}),
            ...(actor.userId ? { audit: { scheduledByUserId: actor.userId } } : {}),
            ...newSyncState(syncOn, deps.clock.now()),
          },
        ],
        { session },
      );
      if (!appointment) throw new Error('appointment insert returned nothing');
      await reserve(companyId, location._id, appointment._id, required, iv, session);
      if (input.holdId) await BookingHold.deleteOne({ _id: input.holdId, companyId, customerId: input.customerId }, { session });
      // A lead who books is a customer (converted as POST /catalog/customers/:id/convert does).
      await Contact.updateOne(
        { _id: input.customerId, companyId, contactStatus: 'lead' },
        { $set: { contactStatus: 'customer', convertedToCustomerAt: deps.clock.now() }, $unset: { leadStage: 1 } },
        { session },
      );
      return appointment._id;
    });
    const view = await loadView(companyId, id, { location: false });
    announce(companyId, 'appointment:created', view);
    return view;
  }

  async function reserve(
    companyId: Id,
    locationId: Id,
    appointmentId: Types.ObjectId,
    required: { resourceTypeId: Types.ObjectId; quantity?: number | null }[],
    iv: Interval,
    session: ClientSession,
  ): Promise<void> {
    const docs = required.flatMap((r) =>
      Array.from({ length: Math.max(1, r.quantity ?? 1) }, () => ({
        companyId,
        locationId,
        appointmentId,
        appointmentItemId: appointmentId,
        resourceTypeId: r.resourceTypeId,
        start: new Date(iv.start),
        end: new Date(iv.end),
      })),
    );
    if (docs.length) await ResourceReservation.insertMany(docs, { session });
  }

  /** Moves a scheduled appointment (time, staff, location, service variant) or edits its notes. */
  async function reschedule(companyId: Types.ObjectId, id: string, input: RescheduleInput): Promise<AppointmentView> {
    const current = await Appointment.findOne({ _id: id, companyId }).lean();
    if (!current) throw new NotFoundError('Appointment not found');
    const moves = ['start', 'end', 'staffId', 'serviceId', 'serviceItemId', 'locationId'].some(
      (k) => input[k as keyof RescheduleInput] !== undefined,
    );
    if (!moves) {
      const syncOn = await calendarSyncOn(companyId);
      await Appointment.updateOne({ _id: id, companyId }, withSyncMark({ notes: input.notes ?? '' }, syncOn, deps.clock.now()));
      const view = await loadView(companyId, id, { location: false });
      announce(companyId, 'appointment:updated', view);
      return view;
    }
    if (current.status !== 'scheduled') {
      throw new AppError(400, 'NOT_RESCHEDULABLE', `A ${current.status} appointment cannot be moved; only scheduled ones can`);
    }
    const itemChanged = input.serviceItemId !== undefined && input.serviceItemId !== String(current.serviceItemId);
    const [targets, syncOn] = await Promise.all([
      resolveTargets(companyId, {
        locationId: input.locationId ?? current.locationId,
        serviceId: input.serviceId ?? (itemChanged ? undefined : current.serviceId),
        serviceItemId: input.serviceItemId ?? current.serviceItemId!,
        staffId: input.staffId ?? current.staffId!,
      }),
      calendarSyncOn(companyId),
    ]);
    const { location, service, item, staff } = targets;
    const { pet } = await customerAndPet(companyId, current.customerId, current.petId, service.species);
    const start = input.start?.getTime() ?? current.start.getTime();
    const length = itemChanged && !input.end ? item.durationMinutes * MINUTE : current.end.getTime() - current.start.getTime();
    const iv = { start, end: input.end?.getTime() ?? start + length };
    checkWindow(iv, item.durationMinutes);
    const required = item.requiredResources ?? [];
    const decide = await prepareClaim(targets, {
      iv,
      now: deps.clock.now().getTime(),
      petSpecies: pet.species,
      customerId: current.customerId,
      excludeAppointmentId: current._id,
      prefix: 'Reschedule',
    });

    await inTransaction(async (session) => {
      await decide(session);
      // Conditional on the state read before: a concurrent change makes this match nothing.
      const res = await Appointment.updateOne(
        { _id: current._id, companyId, status: 'scheduled', updatedAt: current.updatedAt },
        withSyncMark(
          {
            start: new Date(iv.start),
            end: new Date(iv.end),
            staffId: staff._id,
            locationId: location._id,
            serviceId: service._id,
            serviceItemId: item._id,
            ...(input.notes !== undefined ? { notes: input.notes } : {}),
          },
          syncOn,
          deps.clock.now(),
        ),
        { session },
      );
      if (res.matchedCount === 0)
        throw new AppError(409, 'CONCURRENT_UPDATE', 'The appointment was changed by someone else; reload and try again');
      await ResourceReservation.deleteMany({ companyId, appointmentId: current._id }, { session });
      await reserve(companyId, location._id, current._id, required, iv, session);
    });
    const view = await loadView(companyId, id, { location: false });
    announce(companyId, 'appointment:updated', view);
    return view;
  }

  /** A status change through the transition table (§5.8), atomically; cancel and no-show release resources. */
  async function setStatus(companyId: Types.ObjectId, id: string, change: StatusChange, scope: StatusScope = {}): Promise<AppointmentView> {
    await inTransaction((session) => setStatusIn(companyId, id, change, deps.clock.now(), scope, session));
    const view = await loadView(companyId, id, { location: false });
    announce(companyId, change.status === 'canceled' ? 'appointment:canceled' : 'appointment:updated', view);
    return view;
  }

  return { create, reschedule, setStatus, announce };
}

export type AppointmentService = ReturnType<typeof createAppointmentService>;
export type { AppointmentStatus, StatusChange };
