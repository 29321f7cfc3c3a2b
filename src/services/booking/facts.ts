/**
 * Loads what the rules need for some staff members, one location and a time range: schedules,
 * active appointments, time off, other customers' unexpired holds, resources and reservations.
 * Inside a booking transaction every read uses its session, so the decision is made on the same
 * snapshot the write commits on.
 */
import type { ClientSession, Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { BookingHold } from '../../models/BookingHold';
import { ACTIVE_APPOINTMENT_STATUSES } from '../../models/constants';
import { Resource } from '../../models/Resource';
import { ResourceReservation } from '../../models/ResourceReservation';
import { StaffSchedule } from '../../models/StaffSchedule';
import { TimeOff } from '../../models/TimeOff';
import { User } from '../../models/User';
import type { BookingFacts, Hours, Interval, ResourceNeed, StaffFacts } from './rules';
import { DAY, localDate, pickZone } from './time';

/** Appointments and reservations never last longer than this, which bounds the overlap scans. */
export const MAX_BOOKING_MS = DAY;

export interface CompanyLike {
  _id: Types.ObjectId;
  timezone?: string | null;
  settings?: { workHours?: Hours[] | null; holidays?: Date[] | null } | null;
}

export interface LocationLike {
  _id: Types.ObjectId;
  timezone?: string | null;
  workHours?: Hours[] | null;
  holidays?: Date[] | null;
}

export interface FactsInput {
  companyId: Types.ObjectId;
  company: CompanyLike;
  location: LocationLike;
  service?: { _id: Types.ObjectId; allowedRoles?: string[] | null };
  requiredResources?: { resourceTypeId: Types.ObjectId; quantity?: number | null }[];
  petSpecies?: string;
  staffIds: Types.ObjectId[];
  range: Interval;
  now: number;
  /** This customer's own holds do not block them. */
  customerId?: Types.ObjectId | string;
  /** The appointment being moved does not conflict with itself. */
  excludeAppointmentId?: Types.ObjectId | string;
  session?: ClientSession;
}

export function zoneOf(company: CompanyLike, location?: LocationLike | null): string {
  return pickZone(location?.timezone, company.timezone);
}

/** Holiday dates are stored as dates (midnight UTC of the day), so their UTC date is the day. */
const holidayDates = (dates: (Date | null | undefined)[] | null | undefined): string[] =>
  (dates ?? []).filter((d): d is Date => d instanceof Date && !Number.isNaN(d.getTime())).map((d) => localDate(d.getTime(), 'UTC'));

const ms = (d: Date): number => d.getTime();

export async function loadFacts(input: FactsInput): Promise<{ facts: BookingFacts; staff: Map<string, StaffFacts> }> {
  const { companyId, session, range } = input;
  const opts = session ? { session } : {};
  const ids = input.staffIds;
  const overlapFilter = {
    start: { $lt: new Date(range.end), $gt: new Date(range.start - MAX_BOOKING_MS) },
    end: { $gt: new Date(range.start) },
  };
  const exclude = input.excludeAppointmentId ? { _id: { $ne: input.excludeAppointmentId } } : {};
  const needs = aggregateNeeds(input.requiredResources ?? []);
  const typeIds = needs.map((n) => n.resourceTypeId);

  const [users, schedules, appointments, timeOff, holds, resources, reservations] = await settle(!session, [
    ids.length ? User.find({ companyId, _id: { $in: ids } }, null, opts).lean() : [],
    ids.length ? StaffSchedule.find({ companyId, userId: { $in: ids } }, null, opts).lean() : [],
    ids.length
      ? Appointment.find(
          { companyId, staffId: { $in: ids }, status: { $in: ACTIVE_APPOINTMENT_STATUSES }, ...overlapFilter, ...exclude },
          { staffId: 1, start: 1, end: 1 },
          opts,
        ).lean()
      : [],
    ids.length
      ? TimeOff.find(
          { companyId, userId: { $in: ids }, start: { $lt: new Date(range.end) }, end: { $gt: new Date(range.start) } },
          null,
          opts,
        ).lean()
      : [],
    BookingHold.find(
      { companyId, expiresAt: { $gt: new Date(input.now) }, ...(input.customerId ? { customerId: { $ne: input.customerId } } : {}) },
      null,
      opts,
    ).lean(),
    typeIds.length
      ? Resource.find({ companyId, locationId: input.location._id, resourceTypeId: { $in: typeIds }, active: true }, null, opts).lean()
      : [],
    typeIds.length
      ? ResourceReservation.find(
          {
            companyId,
            locationId: input.location._id,
            resourceTypeId: { $in: typeIds },
            ...overlapFilter,
            ...(input.excludeAppointmentId ? { appointmentId: { $ne: input.excludeAppointmentId } } : {}),
          },
          null,
          opts,
        ).lean()
      : [],
  ]);

  // Reservations count only while their appointment is active (old data may still hold those of
  // canceled appointments, A-5).
  const reservedFor = [...new Set(reservations.map((r) => String(r.appointmentId)))];
  const active = new Set(
    reservedFor.length
      ? (
          await Appointment.find(
            { companyId, _id: { $in: reservedFor }, status: { $in: ACTIVE_APPOINTMENT_STATUSES } },
            { _id: 1 },
            opts,
          ).lean()
        ).map((a) => String(a._id))
      : [],
  );

  const staff = new Map<string, StaffFacts>();
  for (const u of users) {
    staff.set(String(u._id), {
      id: String(u._id),
      fullName: u.fullName,
      role: u.role,
      isActive: u.isActive !== false,
      locationIds: (u.locationIds ?? []).map(String),
      primaryLocationId: u.primaryLocationId ? String(u.primaryLocationId) : undefined,
      serviceCategoryIds: (u.serviceCategoryIds ?? []).map(String),
      schedules: [],
      busy: [],
      timeOff: [],
      holds: [],
    });
  }
  for (const s of schedules) {
    staff.get(String(s.userId))?.schedules.push({
      locationId: String(s.locationId),
      weekday: s.weekday,
      startTime: s.startTime,
      endTime: s.endTime,
      breakWindows: s.breakWindows ?? [],
    });
  }
  for (const a of appointments)
    staff.get(String(a.staffId))?.busy.push({ start: ms(a.start), end: ms(a.end), appointmentId: String(a._id) });
  for (const t of timeOff) staff.get(String(t.userId))?.timeOff.push({ start: ms(t.start), end: ms(t.end), id: String(t._id) });

  const resourceNeeds: ResourceNeed[] = needs.map((n) => ({
    resourceTypeId: String(n.resourceTypeId),
    quantity: n.quantity,
    capacity: resources.filter(
      (r) => String(r.resourceTypeId) === String(n.resourceTypeId) && fitsSpecies(r.species ?? [], input.petSpecies),
    ).length,
    used: reservations
      .filter((r) => String(r.resourceTypeId) === String(n.resourceTypeId) && active.has(String(r.appointmentId)))
      .map((r) => ({ start: ms(r.start), end: ms(r.end), units: 1 })),
  }));

  for (const h of holds) {
    if (String(h.companyId) !== String(companyId)) continue;
    for (const t of h.tentative ?? []) {
      const iv = { start: ms(t.start), end: ms(t.end) };
      if (iv.start >= range.end || iv.end <= range.start) continue;
      if (t.staffId) staff.get(String(t.staffId))?.holds.push({ ...iv, holdId: String(h._id) });
      if (t.resourceTypeId && String(h.locationId) === String(input.location._id)) {
        resourceNeeds.find((n) => n.resourceTypeId === String(t.resourceTypeId))?.used.push({ ...iv, units: t.quantity ?? 1 });
      }
    }
  }

  const company = input.company;
  const location = input.location;
  const facts: BookingFacts = {
    zone: zoneOf(company, location),
    locationId: String(location._id),
    hours: (location.workHours?.length ? location.workHours : company.settings?.workHours) ?? [],
    holidays: new Set([...holidayDates(company.settings?.holidays), ...holidayDates(location.holidays)]),
    ...(input.service
      ? {
          service: {
            id: String(input.service._id),
            allowedRoles: input.service.allowedRoles?.length ? input.service.allowedRoles : ['groomer'],
          },
        }
      : {}),
    resources: resourceNeeds,
  };
  return { facts, staff };
}

/**
 * Awaits the (lazy) queries: all at once outside a transaction; one after another inside one,
 * since MongoDB does not support parallel operations within a single transaction.
 */
async function settle<T extends readonly unknown[]>(parallel: boolean, items: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  if (parallel) return Promise.all(items) as Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }>;
  const out: unknown[] = [];
  for (const item of items) out.push(await item);
  return out as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/** One need per resource type (two entries of one type add up). */
function aggregateNeeds(required: { resourceTypeId: Types.ObjectId; quantity?: number | null }[]) {
  const byType = new Map<string, { resourceTypeId: Types.ObjectId; quantity: number }>();
  for (const r of required) {
    const key = String(r.resourceTypeId);
    const prev = byType.get(key);
    byType.set(key, { resourceTypeId: r.resourceTypeId, quantity: (prev?.quantity ?? 0) + Math.max(1, r.quantity ?? 1) });
  }
  return [...byType.values()];
}

/** A resource takes a pet when it takes `all`, or the pet's species, or the species is unknown. */
function fitsSpecies(species: string[], petSpecies?: string): boolean {
  if (!petSpecies || species.length === 0 || species.includes('all')) return true;
  return species.includes(petSpecies);
}
