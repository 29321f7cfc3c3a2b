/**
 * Factories for the booking catalogue (resource types, resources, services, variants, staff
 * schedules), written straight to the test database, and a company with a token per role plus a
 * second company to prove isolation against.
 */
import type { Types } from 'mongoose';
import type { Config } from '../../config/env';
import { Location } from '../../models/Location';
import { Resource } from '../../models/Resource';
import { ResourceType, type ResourceCategory } from '../../models/ResourceType';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { StaffSchedule } from '../../models/StaffSchedule';
import { bearer, companyWithStaff } from './accounts';

type Id = Types.ObjectId;

let seq = 0;
const next = (): number => ++seq;

export async function createLocation(companyId: Id, overrides: { label?: string; isMain?: boolean } = {}) {
  return Location.create({
    companyId,
    label: overrides.label ?? `Branch ${next()}`,
    address: '2 Side Street',
    isMain: overrides.isMain ?? false,
  });
}

export async function createResourceType(companyId: Id, overrides: { name?: string; category?: ResourceCategory } = {}) {
  return ResourceType.create({ companyId, name: overrides.name ?? `Type ${next()}`, category: overrides.category ?? 'equipment' });
}

export async function createResource(
  companyId: Id,
  refs: { locationId: Id; resourceTypeId: Id },
  overrides: { label?: string; species?: string[]; active?: boolean } = {},
) {
  return Resource.create({
    companyId,
    ...refs,
    label: overrides.label ?? `Resource ${next()}`,
    species: overrides.species ?? ['all'],
    active: overrides.active ?? true,
  });
}

export async function createService(
  companyId: Id,
  overrides: { name?: string; species?: string; active?: boolean; color?: string; createdAt?: Date } = {},
) {
  return ServiceCategory.create({
    companyId,
    name: overrides.name ?? `Service ${next()}`,
    species: overrides.species ?? 'dog',
    ...overrides,
  });
}

export async function createServiceItem(
  companyId: Id,
  serviceCategoryId: Id,
  overrides: {
    size?: string;
    coatType?: string;
    price?: number;
    durationMinutes?: number;
    requiredResources?: { resourceTypeId: Id; quantity?: number; durationMinutes: number }[];
  } = {},
) {
  return ServiceItem.create({ companyId, serviceCategoryId, size: 'M', price: 40, durationMinutes: 60, ...overrides });
}

export interface ScheduleEntry {
  weekday: number;
  startTime: string;
  endTime: string;
  breakWindows?: { start: string; end: string }[];
}

export async function createSchedule(companyId: Id, userId: Id, locationId: Id, entries: ScheduleEntry[]) {
  return StaffSchedule.insertMany(entries.map((e) => ({ companyId, userId, locationId, breakWindows: [], ...e })));
}

/** A company with a user (and token) per role, and another company with its own manager. */
export async function catalogueWorld(config: Config) {
  const home = await companyWithStaff(config);
  const other = await companyWithStaff(config);
  return {
    home,
    other,
    as: {
      manager: bearer(home.users.manager.token),
      receptionist: bearer(home.users.receptionist.token),
      groomer: bearer(home.users.groomer.token),
      veterinarian: bearer(home.users.veterinarian.token),
      otherManager: bearer(other.users.manager.token),
    },
  };
}
export type CatalogueWorld = Awaited<ReturnType<typeof catalogueWorld>>;
