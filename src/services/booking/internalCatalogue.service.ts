/**
 * The Meta Bot's reads (§6.3, §6.4) and its one catalogue write (add_pet), all scoped to the
 * company the request names: a customer's appointments, the staff who can do a service (and are
 * free), locations, services with their variants, and pets.
 */
import mongoose, { type Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { SERVICE_PROVIDER_ROLES, type AppointmentStatus } from '../../models/constants';
import { Location } from '../../models/Location';
import { Pet } from '../../models/Pet';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { User } from '../../models/User';
import { appointmentPopulate } from './appointmentView';
import type { AvailabilityService } from './availability.service';
import { validationFailed } from './internalBooking.service';

type Id = Types.ObjectId | string;

const UPCOMING_STATUSES: readonly AppointmentStatus[] = ['scheduled', 'checked_in', 'in_progress'];

/**
 * A customer's appointments (§6.4): `upcoming` = not yet started and still active (soonest
 * first), `past` = started before now (latest first), `all` (by start). The location carries its
 * label and address (B-17).
 */
export async function customerAppointments(
  companyId: Id,
  customerId: string,
  q: { status: 'upcoming' | 'past' | 'all'; limit: number },
  now: Date,
) {
  const filter =
    q.status === 'upcoming'
      ? { companyId, customerId, start: { $gte: now }, status: { $in: UPCOMING_STATUSES } }
      : q.status === 'past'
        ? { companyId, customerId, start: { $lt: now } }
        : { companyId, customerId };
  return Appointment.find(filter)
    .sort({ start: q.status === 'past' ? -1 : 1 })
    .limit(q.limit)
    .populate(appointmentPopulate(companyId, { location: true }))
    .lean();
}

interface StaffQuery {
  serviceId?: string;
  serviceItemId?: string;
  locationId?: string;
  start?: Date;
  end?: Date;
}

/**
 * Active staff who can perform the service (role among its allowed roles, categories empty or
 * containing it) and work at the location (assigned there, or assigned nowhere: the engine's
 * rule); with a time, only those the engine finds free then.
 */
export async function staffFor(companyId: Types.ObjectId, q: StaffQuery, availability: AvailabilityService) {
  const serviceId =
    q.serviceId ??
    (q.serviceItemId ? String((await ServiceItem.findOne({ _id: q.serviceItemId, companyId }).lean())?.serviceCategoryId) : undefined);
  const service = serviceId ? await ServiceCategory.findOne({ _id: serviceId, companyId }, { allowedRoles: 1 }).lean() : null;
  const roles = service ? (service.allowedRoles?.length ? service.allowedRoles : ['groomer']) : SERVICE_PROVIDER_ROLES;
  const users = await User.find(
    { companyId, isActive: true, role: { $in: roles } },
    { fullName: 1, role: 1, color: 1, locationIds: 1, primaryLocationId: 1, serviceCategoryIds: 1 },
  )
    .sort({ fullName: 1 })
    .lean();
  const fit = users.filter((u) => {
    const categories = (u.serviceCategoryIds ?? []).map(String);
    if (service && categories.length > 0 && !categories.includes(String(service._id))) return false;
    const sites = new Set([...(u.locationIds ?? []).map(String), ...(u.primaryLocationId ? [String(u.primaryLocationId)] : [])]);
    return !q.locationId || sites.size === 0 || sites.has(q.locationId);
  });
  const { start, end } = q;
  if (!start || !end) return fit;
  const verdicts = await Promise.all(
    fit.map((u) =>
      availability.check(companyId, {
        staffId: String(u._id),
        start,
        end,
        ...(q.locationId ? { locationId: q.locationId } : {}),
        ...(q.serviceItemId ? { serviceItemId: q.serviceItemId } : {}),
      }),
    ),
  );
  return fit.filter((_u, i) => verdicts[i]?.available);
}

/** The company's locations, the main one first (§6.3). */
export async function locationsOf(companyId: Id) {
  return Location.find({ companyId }, { label: 1, address: 1, phone: 1, googleLocationUrl: 1, timezone: 1, isMain: 1, workHours: 1 })
    .sort({ isMain: -1, createdAt: 1 })
    .lean();
}

/** Active services with their active variants (cheapest first); `dog` and `cat` include `dog&cat` services. */
export async function servicesOf(companyId: Id, species?: 'dog' | 'cat' | 'other') {
  const speciesFilter = species ? { species: { $in: species === 'other' ? ['other'] : [species, 'dog&cat'] } } : {};
  const services = await ServiceCategory.find(
    { companyId, active: { $ne: false }, ...speciesFilter },
    { name: 1, description: 1, species: 1, allowedRoles: 1, requiresBath: 1, color: 1 },
  )
    .sort({ name: 1 })
    .lean();
  const items = await ServiceItem.find(
    { companyId, serviceCategoryId: { $in: services.map((s) => s._id) }, active: { $ne: false } },
    { serviceCategoryId: 1, size: 1, label: 1, coatType: 1, durationMinutes: 1, price: 1 },
  )
    .sort({ price: 1, durationMinutes: 1 })
    .lean();
  return services.map((s) => ({ ...s, items: items.filter((i) => String(i.serviceCategoryId) === String(s._id)) }));
}

/** A customer's pets, oldest first (the bot books the first when none is named). */
export async function petsOf(companyId: Id, customerId: string) {
  return Pet.find({ companyId, customerId }).sort({ createdAt: 1, _id: 1 }).lean();
}

/** A new pet of the customer; the model's refusals are a 400 VALIDATION_FAILED, never a 500. */
export async function addPet(companyId: Id, customerId: string, fields: Record<string, unknown>) {
  const pet = new Pet({ sex: 'unknown', ...fields, companyId, customerId });
  try {
    await pet.validate();
  } catch (err) {
    if (err instanceof mongoose.Error.ValidationError) throw validationFailed('Pet', petMessages(err));
    throw err;
  }
  await pet.save({ validateBeforeSave: false });
  return pet.toObject();
}

function petMessages(err: mongoose.Error.ValidationError): string[] {
  return Object.values(err.errors).map((e) => {
    const props = (e as { properties?: { type?: string; enumValues?: unknown[] } }).properties;
    if (e instanceof mongoose.Error.CastError) return `${e.path} has the wrong type`;
    if (props?.type === 'enum' && props.enumValues) return `${e.path} must be one of: ${props.enumValues.join(', ')}`;
    return e.message;
  });
}
