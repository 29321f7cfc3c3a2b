/**
 * What the Meta Bot's internal booking API adds around the booking engine: the company and
 * ownership checks with stable codes (another company's id is answered like a missing one), the
 * bot's choice of variant (§5.9), local dates in the location's zone (B-15/Z-2), the free slots
 * as merged local ranges (§5.11, on the engine's full rules, B-16) and the bot's cancel rule (T-5).
 */
import type { Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { BookingHold } from '../../models/BookingHold';
import { Company } from '../../models/Company';
import type { AppointmentStatus } from '../../models/constants';
import { Contact } from '../../models/Contact';
import { Location } from '../../models/Location';
import { Pet } from '../../models/Pet';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { User } from '../../models/User';
import { AppError, NotFoundError } from '../../utils/errors';
import type { AppointmentService } from './appointment.service';
import type { SlotQuery, StaffSlots } from './availability.service';
import { addDays, clockTime, localDate, MINUTE, pickZone } from './time';

type Id = Types.ObjectId | string;

const exists = (found: unknown): boolean => Boolean(found);

/** Each id a request may name: how to find it in the company, and the 404 it gets otherwise. */
const OWNED = {
  customerId: { code: 'CUSTOMER_NOT_FOUND', what: 'Customer', find: (c: Id, id: string) => Contact.exists({ _id: id, companyId: c }) },
  petId: { code: 'PET_NOT_FOUND', what: 'Pet', find: (c: Id, id: string) => Pet.exists({ _id: id, companyId: c }) },
  staffId: { code: 'STAFF_NOT_FOUND', what: 'Staff member', find: (c: Id, id: string) => User.exists({ _id: id, companyId: c }) },
  locationId: { code: 'LOCATION_NOT_FOUND', what: 'Location', find: (c: Id, id: string) => Location.exists({ _id: id, companyId: c }) },
  serviceId: { code: 'SERVICE_NOT_FOUND', what: 'Service', find: (c: Id, id: string) => ServiceCategory.exists({ _id: id, companyId: c }) },
  serviceItemId: {
    code: 'SERVICE_ITEM_NOT_FOUND',
    what: 'Service item',
    find: (c: Id, id: string) => ServiceItem.exists({ _id: id, companyId: c }),
  },
  excludeAppointmentId: {
    code: 'APPOINTMENT_NOT_FOUND',
    what: 'Appointment',
    find: (c: Id, id: string) => Appointment.exists({ _id: id, companyId: c }),
  },
  holdId: { code: 'HOLD_NOT_FOUND', what: 'Hold', find: (c: Id, id: string) => BookingHold.exists({ _id: id, companyId: c }) },
} as const;

export type OwnedIds = Partial<Record<keyof typeof OWNED, string | undefined>>;

/** The company a request names, as an ObjectId: 404 COMPANY_NOT_FOUND when there is none. */
export async function requireCompany(companyId: string): Promise<Types.ObjectId> {
  const found = await Company.exists({ _id: companyId });
  if (!found) throw new NotFoundError('Company not found', 'COMPANY_NOT_FOUND');
  return found._id;
}

/** Every id given belongs to the company; the first that does not (in OWNED's order) is a 404. */
export async function requireOwned(companyId: Id, ids: OwnedIds): Promise<void> {
  const keys = (Object.keys(OWNED) as (keyof typeof OWNED)[]).filter((k) => ids[k] !== undefined);
  const found = await Promise.all(keys.map((k) => OWNED[k].find(companyId, ids[k] as string)));
  const missing = keys.find((_k, i) => !exists(found[i]));
  if (missing) throw new NotFoundError(`${OWNED[missing].what} not found`, OWNED[missing].code);
}

/** An appointment of the company (and of the customer, when one is named), with its status. */
export async function requireAppointment(companyId: Id, id: string, customerId?: string): Promise<{ status: AppointmentStatus }> {
  const found = await Appointment.findOne({ _id: id, companyId, ...(customerId ? { customerId } : {}) }, { status: 1 }).lean();
  if (!found) throw new NotFoundError('Appointment not found', 'APPOINTMENT_NOT_FOUND');
  return { status: found.status ?? 'scheduled' };
}

/**
 * The variant the bot books when it names only the service (§5.9): among active variants, the
 * cheapest of the pet's size, else the cheapest for all sizes, else the cheapest. Its own
 * duration is used whatever it is (the original fell back to the longest when it was 60, B-16).
 */
export async function pickVariant(companyId: Id, serviceId: string, size?: string): Promise<string> {
  const items = await ServiceItem.find(
    { companyId, serviceCategoryId: serviceId, active: { $ne: false } },
    { size: 1, price: 1, durationMinutes: 1 },
  ).lean();
  if (items.length === 0) throw new NotFoundError('The service has no active variant', 'SERVICE_ITEM_NOT_FOUND');
  const cheapest = (list: typeof items) =>
    [...list].sort((a, b) => a.price - b.price || a.durationMinutes - b.durationMinutes || String(a._id).localeCompare(String(b._id)))[0];
  const pick =
    (size ? cheapest(items.filter((i) => i.size === size)) : undefined) ??
    cheapest(items.filter((i) => i.size === 'all')) ??
    cheapest(items);
  return String(pick!._id);
}

/** The location a request means: the one it names, else the company's main (or first) location. */
export async function locationFor(companyId: Id, locationId?: string) {
  const location = await Location.findOne(locationId ? { _id: locationId, companyId } : { companyId }, { timezone: 1 })
    .sort({ isMain: -1, createdAt: 1 })
    .lean();
  if (!location) throw new NotFoundError('Location not found', 'LOCATION_NOT_FOUND');
  return location;
}

export interface BotSlotQuery {
  serviceItemId?: string;
  serviceId?: string;
  petSize?: string;
  petId?: string;
  locationId?: string;
  date?: string;
  from?: string;
  to?: string;
  staffId?: string;
  customerId?: string;
  stepMinutes?: number;
}

/**
 * The engine's slot query for the bot's: the variant (named, or picked for the pet's size), the
 * location (named, else the main one), local dates with `today`/`tomorrow` read in the
 * location's zone (B-15/Z-2), and the pet's species for resources that take only some species.
 */
export async function slotQuery(companyId: Types.ObjectId, q: BotSlotQuery, now: Date): Promise<SlotQuery> {
  const pet = q.petId ? await Pet.findOne({ _id: q.petId, companyId }, { customerId: 1, species: 1, size: 1 }).lean() : null;
  if (pet && q.customerId && String(pet.customerId) !== q.customerId)
    throw validationFailed('Slot query', ['Pet does not belong to this customer']);
  const [company, location] = await Promise.all([
    Company.findById(companyId, { timezone: 1 }).lean(),
    locationFor(companyId, q.locationId),
  ]);
  const zone = pickZone(location.timezone, company?.timezone);
  const today = localDate(now.getTime(), zone);
  const day = (d: string): string => (d === 'today' ? today : d === 'tomorrow' ? addDays(today, 1) : d);
  const from = day(q.date ?? q.from ?? 'today');
  const size = q.petSize ?? pet?.size ?? undefined;
  const serviceItemId = q.serviceItemId ?? (q.serviceId ? await pickVariant(companyId, q.serviceId, size) : undefined);
  if (!serviceItemId) throw validationFailed('Slot query', ['Give serviceItemId or serviceId']);
  return {
    serviceItemId,
    locationId: String(location._id),
    from,
    to: q.date ? from : (q.to ?? from),
    ...(q.staffId ? { staffId: q.staffId } : {}),
    ...(q.customerId ? { customerId: q.customerId } : {}),
    ...(pet ? { petSpecies: pet.species } : {}),
    ...(q.stepMinutes ? { stepMinutes: q.stepMinutes } : {}),
  };
}

export interface TimeRange {
  date: string;
  start: string;
  end: string;
}

/**
 * The free starts of every staff member merged into local `HH:mm` ranges per date: a range runs
 * while the next free start is at most one step after the previous one, and ends when the
 * service started last in it ends. Every step inside a range can be booked with someone.
 */
export function timeRanges(items: StaffSlots[], zone: string, stepMinutes: number): TimeRange[] {
  const slots = items.flatMap((s) => s.slots.map((x) => ({ start: Date.parse(x.start), end: Date.parse(x.end) })));
  slots.sort((a, b) => a.start - b.start || a.end - b.end);
  const runs: { date: string; start: number; lastStart: number; end: number }[] = [];
  for (const s of slots) {
    const date = localDate(s.start, zone);
    const last = runs[runs.length - 1];
    if (last && last.date === date && s.start <= last.lastStart + stepMinutes * MINUTE) {
      last.lastStart = Math.max(last.lastStart, s.start);
      last.end = Math.max(last.end, s.end);
    } else runs.push({ date, start: s.start, lastStart: s.start, end: s.end });
  }
  return runs.map((r) => ({ date: r.date, start: clockTime(r.start, zone), end: clockTime(r.end, zone) }));
}

/** Statuses the bot may cancel from: a visit that began or ended is the front desk's (T-5). */
export const BOT_CANCELABLE: readonly AppointmentStatus[] = ['scheduled', 'checked_in'];

export async function cancelForBot(
  appointments: AppointmentService,
  companyId: Types.ObjectId,
  id: string,
  b: { customerId?: string; reason?: string; cancelReason: string },
) {
  await requireAppointment(companyId, id, b.customerId);
  // The allowed starting statuses are part of the conditional update, so a concurrent check-in
  // cannot slip between a read and the cancel.
  return appointments.setStatus(
    companyId,
    id,
    { status: 'canceled', reason: b.cancelReason, ...(b.reason ? { note: `Cancellation reason: ${b.reason}` } : {}) },
    { from: BOT_CANCELABLE },
  );
}

/** A 400 VALIDATION_FAILED with the given messages (the engine's code for refused input). */
export function validationFailed(what: string, messages: string[]): AppError {
  return new AppError(400, 'VALIDATION_FAILED', `${what} validation failed: ${messages.join('; ')}`, { validationErrors: messages });
}
