/**
 * Books the plan (plan.ts) through the booking service, so every appointment passed the same
 * rules as the dashboard's (schedule, breaks, holidays, no double booking): a slot the service
 * refuses is skipped. An appointment already at that staff member's start time (any status) is
 * left alone. Past appointments are booked with the service's clock set two days before them and
 * then moved through the status table at their own times (check-in, start, completion; or a
 * no-show or cancellation), as the salon would have done.
 */
import type { Types } from 'mongoose';
import { Appointment } from '../models/Appointment';
import { ServiceCategory } from '../models/ServiceCategory';
import { ServiceItem } from '../models/ServiceItem';
import type { AppointmentService, StatusChange } from '../services/booking/appointment.service';
import { BookingConflictError, ResourceConflictError } from '../services/booking/errors';
import { DAY, MINUTE } from '../services/booking/time';
import type { manualClock } from '../utils/clock';
import { AppointmentCreateBody } from '../validators/booking/appointment.schemas';
import type { StaffMap } from './company';
import type { PlannedAppointment } from './plan';
import type { StepTracker } from './step';

type CompanyId = Types.ObjectId;
type BookingClock = ReturnType<typeof manualClock>;

export interface CatalogueEntry {
  serviceId: string;
  /** Variant by size (`all` for the one-size services). */
  items: Map<string, { id: string; minutes: number }>;
}

/** The company's services by name, with their variants. */
export async function loadCatalogue(companyId: CompanyId): Promise<Map<string, CatalogueEntry>> {
  const [services, items] = await Promise.all([ServiceCategory.find({ companyId }).lean(), ServiceItem.find({ companyId }).lean()]);
  const out = new Map<string, CatalogueEntry>();
  for (const s of services) out.set(s.name, { serviceId: String(s._id), items: new Map() });
  const nameOf = new Map(services.map((s) => [String(s._id), s.name]));
  for (const i of items) {
    const entry = out.get(nameOf.get(String(i.serviceCategoryId)) ?? '');
    if (entry && i.active !== false) entry.items.set(i.size ?? 'all', { id: String(i._id), minutes: i.durationMinutes });
  }
  return out;
}

export function variantOf(catalogue: Map<string, CatalogueEntry>, service: string, size: string) {
  const entry = catalogue.get(service);
  return entry?.items.get(size) ?? entry?.items.get('all');
}

/** The status changes that turn a fresh booking into the planned outcome, each at its own time. */
function outcomeSteps(p: PlannedAppointment, by: string): { at: number; change: StatusChange }[] {
  const checkIn = { at: p.start - 5 * MINUTE, change: { status: 'checked_in' as const, userId: by } };
  const begin = { at: p.start, change: { status: 'in_progress' as const, userId: by } };
  switch (p.outcome) {
    case 'completed':
      return [checkIn, begin, { at: p.end, change: { status: 'completed', userId: by } }];
    case 'in_progress':
      return [checkIn, begin];
    case 'no_show':
      return [{ at: p.start + 20 * MINUTE, change: { status: 'no_show', reason: 'customer_unreachable', userId: by } }];
    case 'canceled':
      return [{ at: p.start - DAY, change: { status: 'canceled', reason: 'customer_requested', userId: by } }];
    default:
      return [];
  }
}

export interface BookingDeps {
  appointments: AppointmentService;
  /** The appointment service's clock: moved to when each booking and status change happened. */
  clock: BookingClock;
  now: number;
  catalogue: Map<string, CatalogueEntry>;
  staff: StaffMap;
  locationIds: Map<string, string>;
  /** Who booked and updated them (the receptionist). */
  actorId: string;
}

export async function seedAppointments(companyId: CompanyId, plan: PlannedAppointment[], deps: BookingDeps, t: StepTracker) {
  for (const p of plan) {
    const staffId = deps.staff.get(p.staffEmail)!;
    if (await Appointment.exists({ companyId, staffId, start: new Date(p.start) })) {
      t.existing();
      continue;
    }
    const item = variantOf(deps.catalogue, p.service, p.pet.seed.size)!;
    const body = AppointmentCreateBody.parse({
      customerId: p.pet.customerId,
      petId: p.pet.id,
      serviceId: deps.catalogue.get(p.service)!.serviceId,
      serviceItemId: item.id,
      staffId,
      locationId: deps.locationIds.get(p.location)!,
      start: new Date(p.start).toISOString(),
      source: p.source,
      ...(p.pet.seed.temperament === 'anxious' ? { notes: `${p.pet.seed.name} is nervous: quiet room, low dryer.` } : {}),
    });
    deps.clock.set(new Date(p.start <= deps.now ? p.start - 2 * DAY : deps.now));
    let id: string;
    try {
      id = String((await deps.appointments.create(companyId, body, { userId: deps.actorId }))._id);
    } catch (err) {
      // The slot is not free under the booking rules (taken, a break, a holiday): not booked.
      if (err instanceof BookingConflictError || err instanceof ResourceConflictError) {
        t.skipped();
        continue;
      }
      throw err;
    }
    for (const s of outcomeSteps(p, deps.actorId)) {
      deps.clock.set(new Date(s.at));
      await deps.appointments.setStatus(companyId, id, s.change);
    }
    t.created();
  }
}
