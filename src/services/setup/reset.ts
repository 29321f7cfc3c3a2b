/**
 * The steps of the setup resets, each written in the caller's transaction. Services and resources
 * are replaced by the company's business-type seeds (as registration provisions them), and what
 * pointed at the old catalogue is carried over by name where it can be:
 * - staff keep the services of the same name (a list left empty is filled, as staff create does,
 *   with the services their roles may perform, so it does not turn into "every service");
 * - service items keep the resource types of the same name in their requiredResources;
 * - upcoming appointments keep their times, staff and customers; a forced services reset leaves
 *   their service reference unresolved, a forced resources reset releases their resource holds.
 */
import type { ClientSession, Types } from 'mongoose';
import type { BusinessType } from '../../models/constants';
import { Appointment } from '../../models/Appointment';
import { Location } from '../../models/Location';
import { Resource } from '../../models/Resource';
import { ResourceReservation } from '../../models/ResourceReservation';
import { ResourceType } from '../../models/ResourceType';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { User } from '../../models/User';
import { ConflictError } from '../../utils/errors';
import { seedResources, seedServices } from '../provisioning.service';

type Id = Types.ObjectId;

export interface ResetCompany {
  _id: Id;
  businessTypes: BusinessType[];
  timezone?: string | null;
}

/** Appointments still to happen (or happening): the ones a reset must not silently break. */
const UPCOMING_STATUSES = ['scheduled', 'checked_in', 'in_progress'];

const key = (name: string): string => name.trim().toLowerCase();

/**
 * Refuses (409 UPCOMING_APPOINTMENTS, with their number) when upcoming appointments use the
 * services, or hold the resources, that the reset would delete.
 */
export async function refuseIfBooked(
  companyId: Id,
  what: { services: boolean; resources: boolean },
  now: Date,
  session: ClientSession,
): Promise<void> {
  const affected = new Set<string>();
  if (what.services) {
    const serviceIds = await ServiceCategory.distinct('_id', { companyId }).session(session);
    const ids = await Appointment.distinct('_id', {
      companyId,
      serviceId: { $in: serviceIds },
      end: { $gt: now },
      status: { $in: UPCOMING_STATUSES },
    }).session(session);
    for (const id of ids) affected.add(String(id));
  }
  if (what.resources) {
    // A canceled or no-show appointment has released its reservations: any left are live.
    const ids = await ResourceReservation.distinct('appointmentId', { companyId, end: { $gt: now } }).session(session);
    for (const id of ids) affected.add(String(id));
  }
  if (affected.size > 0) {
    const n = affected.size;
    throw new ConflictError(
      `${n} upcoming appointment${n === 1 ? '' : 's'} use${n === 1 ? 's' : ''} what this reset would delete; repeat with ?force=true to reset anyway`,
      'UPCOMING_APPOINTMENTS',
      { appointments: n },
    );
  }
}

/** The company's main location (else its oldest); one is created when it has none (B7). */
async function resourceLocation(company: ResetCompany, session: ClientSession): Promise<Id> {
  const found = await Location.findOne({ companyId: company._id }, { _id: 1 }).sort({ isMain: -1, createdAt: 1 }).session(session).lean();
  if (found) return found._id;
  const [created] = await Location.create(
    [{ companyId: company._id, label: 'Main', address: 'Main', isMain: true, ...(company.timezone ? { timezone: company.timezone } : {}) }],
    { session },
  );
  return created!._id;
}

export async function replaceResources(company: ResetCompany, now: Date, session: ClientSession) {
  const companyId = company._id;
  const oldTypes = await ResourceType.find({ companyId }, { name: 1 }).session(session).lean();
  await ResourceReservation.deleteMany({ companyId, end: { $gt: now } }, { session });
  await Resource.deleteMany({ companyId }, { session });
  await ResourceType.deleteMany({ companyId }, { session });
  const locationId = await resourceLocation(company, session);
  const seeded = await seedResources({ companyId, businessTypes: company.businessTypes, locationId }, session);

  const oldName = new Map(oldTypes.map((t) => [String(t._id), key(t.name)]));
  const newId = new Map(seeded.types.map((t) => [key(t.name), t._id]));
  const items = await ServiceItem.find({ companyId }, { requiredResources: 1 }).session(session).lean();
  for (const item of items) {
    const required = item.requiredResources ?? [];
    if (required.length === 0) continue;
    const kept = required.flatMap((r) => {
      const typeId = newId.get(oldName.get(String(r.resourceTypeId)) ?? '');
      return typeId ? [{ ...r, resourceTypeId: typeId }] : [];
    });
    await ServiceItem.updateOne({ _id: item._id, companyId }, { $set: { requiredResources: kept } }, { session });
  }
  return { resourceTypes: seeded.types.length, resources: seeded.resources, locationId };
}

const PERFORMING = (roles: string[]): string[] => roles.filter((r) => r !== 'manager' && r !== 'receptionist');

export async function replaceServices(company: ResetCompany, session: ClientSession) {
  const companyId = company._id;
  const oldCategories = await ServiceCategory.find({ companyId }, { name: 1 }).session(session).lean();
  await ServiceItem.deleteMany({ companyId }, { session });
  await ServiceCategory.deleteMany({ companyId }, { session });
  const seeded = await seedServices({ companyId, businessTypes: company.businessTypes }, session);

  const fresh = await ServiceCategory.find({ companyId }, { name: 1, allowedRoles: 1 }).session(session).lean();
  const oldName = new Map(oldCategories.map((c) => [String(c._id), key(c.name)]));
  const newId = new Map(fresh.map((c) => [key(c.name), c._id]));
  const staff = await User.find({ companyId }, { serviceCategoryIds: 1, role: 1, roles: 1 }).session(session).lean();
  for (const u of staff) {
    const current = u.serviceCategoryIds ?? [];
    if (current.length === 0) continue;
    const mapped = new Map<string, Id>();
    for (const id of current) {
      const to = newId.get(oldName.get(String(id)) ?? '');
      if (to) mapped.set(String(to), to);
    }
    let ids = [...mapped.values()];
    if (ids.length === 0) {
      const roles = PERFORMING(u.roles?.length ? u.roles : [u.role]);
      ids = fresh.filter((c) => (c.allowedRoles ?? []).some((r) => roles.includes(r))).map((c) => c._id);
    }
    await User.updateOne({ _id: u._id, companyId }, { $set: { serviceCategoryIds: ids } }, { session });
  }
  return { serviceCategories: seeded.categories.length, serviceItems: seeded.items };
}
