/**
 * Factories for booking: a company with a location in a time zone, staff with weekly schedules
 * (and breaks), a service with its variants, a customer with a pet, appointments written
 * directly. Small functions that compose; `bookingWorld()` builds the usual whole.
 */
import { Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { Company } from '../../models/Company';
import { isServiceProvider, type AppointmentStatus, type StaffRole } from '../../models/constants';
import { Contact } from '../../models/Contact';
import { Location } from '../../models/Location';
import { Pet } from '../../models/Pet';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { StaffSchedule } from '../../models/StaffSchedule';
import { TimeOff } from '../../models/TimeOff';
import { User } from '../../models/User';

let seq = 0;
const next = (): number => ++seq;

type Id = Types.ObjectId;
export interface Hours {
  weekday: number;
  startTime: string;
  endTime: string;
}
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

/** A company in a zone, open 09:00–18:00 every day unless told otherwise. */
export async function createBookingCompany(o: { timezone?: string; workHours?: Hours[]; holidays?: Date[] } = {}) {
  const n = next();
  const company = await Company.create({
    name: `Booking Co ${n}`,
    email: `booking${n}@example.com`,
    timezone: o.timezone ?? 'UTC',
    businessTypes: ['grooming'],
    settings: {
      workHours: o.workHours ?? EVERY_DAY.map((weekday) => ({ weekday, startTime: '09:00', endTime: '18:00' })),
      holidays: o.holidays ?? [],
    },
  });
  return company._id;
}

export async function createBookingLocation(
  companyId: Id,
  o: { label?: string; isMain?: boolean; timezone?: string; workHours?: Hours[]; phone?: string } = {},
) {
  const location = await Location.create({
    companyId,
    label: o.label ?? `Branch ${next()}`,
    address: '1 Main Street',
    isMain: o.isMain ?? false,
    ...(o.timezone ? { timezone: o.timezone } : {}),
    ...(o.workHours ? { workHours: o.workHours } : {}),
    ...(o.phone ? { phone: o.phone } : {}),
  });
  return location._id;
}

/** A staff member (a groomer by default) assigned to the given locations. */
export async function createStaffMember(
  companyId: Id,
  o: { fullName?: string; role?: StaffRole; locationIds?: Id[]; serviceCategoryIds?: Id[]; isActive?: boolean } = {},
) {
  const n = next();
  const role = o.role ?? 'groomer';
  const user = await User.create({
    companyId,
    email: `staff${n}@example.com`,
    passwordHash: 'not-a-real-hash',
    fullName: o.fullName ?? `Staff ${n}`,
    role,
    locationIds: o.locationIds ?? [],
    ...(o.locationIds?.[0] ? { primaryLocationId: o.locationIds[0] } : {}),
    serviceCategoryIds: o.serviceCategoryIds ?? [],
    serviceProvider: isServiceProvider([role]),
    isActive: o.isActive ?? true,
  });
  return user._id;
}

/** The staff member's hours at a location on the given weekdays (all by default), with breaks. */
export async function createWeeklySchedule(
  companyId: Id,
  userId: Id,
  locationId: Id,
  o: { weekdays?: number[]; startTime?: string; endTime?: string; breaks?: { start: string; end: string }[] } = {},
) {
  await StaffSchedule.insertMany(
    (o.weekdays ?? EVERY_DAY).map((weekday) => ({
      companyId,
      userId,
      locationId,
      weekday,
      startTime: o.startTime ?? '09:00',
      endTime: o.endTime ?? '17:00',
      breakWindows: o.breaks ?? [],
    })),
  );
}

export async function createTimeOff(companyId: Id, userId: Id, start: Date, end: Date) {
  return (await TimeOff.create({ companyId, userId, start, end, reason: 'Away' }))._id;
}

export interface VariantSpec {
  size: 'S' | 'M' | 'L' | 'XL' | 'all';
  durationMinutes: number;
  price: number;
  active?: boolean;
}

/** A service with its variants (by default S 60 min, M 90 min, L 120 min). */
export async function createService(
  companyId: Id,
  o: { name?: string; species?: string; allowedRoles?: StaffRole[]; active?: boolean; variants?: VariantSpec[] } = {},
) {
  const service = await ServiceCategory.create({
    companyId,
    name: o.name ?? `Service ${next()}`,
    species: o.species ?? 'dog',
    allowedRoles: o.allowedRoles ?? ['groomer'],
    active: o.active ?? true,
  });
  const variants = o.variants ?? [
    { size: 'S', durationMinutes: 60, price: 30 },
    { size: 'M', durationMinutes: 90, price: 40 },
    { size: 'L', durationMinutes: 120, price: 50 },
  ];
  const items = await ServiceItem.insertMany(
    variants.map((v) => ({ companyId, serviceCategoryId: service._id, coatType: 'all', active: true, ...v })),
  );
  return { serviceId: service._id, itemIds: items.map((i) => i._id as Id) };
}

export async function createCustomer(companyId: Id, o: { fullName?: string; phone?: string; contactStatus?: 'lead' | 'customer' } = {}) {
  const n = next();
  const contact = await Contact.create({
    companyId,
    fullName: o.fullName ?? `Customer ${n}`,
    phone: o.phone ?? `+99555500${String(n).padStart(4, '0')}`,
    contactStatus: o.contactStatus ?? 'customer',
  });
  return contact._id;
}

export async function createPet(
  companyId: Id,
  customerId: Id,
  o: { name?: string; species?: 'dog' | 'cat' | 'other'; size?: 'S' | 'M' | 'L' | 'XL' } = {},
) {
  const pet = await Pet.create({
    companyId,
    customerId,
    name: o.name ?? `Rex ${next()}`,
    species: o.species ?? 'dog',
    sex: 'unknown',
    ...(o.size ? { size: o.size } : {}),
  });
  return pet._id;
}

/** An appointment written directly (no rules), e.g. to occupy a staff member or to be canceled. */
export async function createAppointmentDoc(
  w: { companyId: Id; locationId: Id; customerId: Id; petId: Id; serviceId: Id; itemIds: Id[] },
  staffId: Id,
  start: Date,
  o: { minutes?: number; status?: AppointmentStatus; source?: 'online' | 'social' } = {},
) {
  const doc = await Appointment.create({
    companyId: w.companyId,
    locationId: w.locationId,
    customerId: w.customerId,
    petId: w.petId,
    serviceId: w.serviceId,
    serviceItemId: w.itemIds[0],
    staffId,
    start,
    end: new Date(start.getTime() + (o.minutes ?? 60) * 60_000),
    status: o.status ?? 'scheduled',
    source: o.source ?? 'online',
    ...(o.status === 'canceled' ? { audit: { cancelReason: 'other' } } : {}),
  });
  return doc._id;
}

/**
 * The usual whole: a company and its main location in `timezone` (Asia/Tbilisi, UTC+4, no DST),
 * two groomers working there 09:00–17:00 every day with a 13:00–14:00 break, a dog service with
 * S/M/L variants, and a customer with a medium dog.
 */
export async function bookingWorld(o: { timezone?: string } = {}) {
  const timezone = o.timezone ?? 'Asia/Tbilisi';
  const companyId = await createBookingCompany({ timezone });
  const locationId = await createBookingLocation(companyId, { label: 'Main', isMain: true, timezone });
  const { serviceId, itemIds } = await createService(companyId, { name: 'Full Groom' });
  const staff: Id[] = [];
  for (const fullName of ['Ana Groomer', 'Beka Groomer']) {
    const id = await createStaffMember(companyId, { fullName, locationIds: [locationId] });
    await createWeeklySchedule(companyId, id, locationId, { breaks: [{ start: '13:00', end: '14:00' }] });
    staff.push(id);
  }
  const customerId = await createCustomer(companyId);
  const petId = await createPet(companyId, customerId, { size: 'M' });
  return { companyId, locationId, timezone, serviceId, itemIds, staff, customerId, petId };
}

export type BookingWorld = Awaited<ReturnType<typeof bookingWorld>>;

export const oid = (): string => new Types.ObjectId().toHexString();
