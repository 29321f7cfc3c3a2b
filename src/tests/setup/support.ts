/**
 * Shared by the setup suites: a company provisioned as registration provisions it (for its
 * business types), with a manager and a receptionist signed in, and a snapshot of its catalogue to
 * compare before and after a reset.
 */
import type { Express } from 'express';
import mongoose, { type Types } from 'mongoose';
import request from 'supertest';
import type { Config } from '../../config/env';
import { companyDefaults } from '../../config/companyDefaults';
import { Company } from '../../models/Company';
import type { BusinessType } from '../../models/constants';
import { Location } from '../../models/Location';
import type { AppointmentStatus } from '../../models/constants';
import { Resource } from '../../models/Resource';
import { ResourceReservation } from '../../models/ResourceReservation';
import { ResourceType } from '../../models/ResourceType';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { provisionCompanyDefaults } from '../../services/provisioning.service';
import { accessTokenFor, bearer, createStaff } from '../factories/accounts';
import { createAppointmentDoc, createCustomer, createPet } from '../factories/booking';

export const SETUP = '/api/v1/setup';
export const PROMPTS = '/api/v1/ai-prompts';

let seq = 0;

export interface SetupCompany {
  companyId: Types.ObjectId;
  id: string;
  locationId: Types.ObjectId;
  manager: { Authorization: string };
  receptionist: { Authorization: string };
}

/** A company of `businessTypes` with its defaults, a main location and its provisioned catalogue. */
export async function provisionedCompany(config: Config, businessTypes: BusinessType[] = ['grooming']): Promise<SetupCompany> {
  const n = ++seq;
  const company = await Company.create({
    ...companyDefaults({ businessTypes, timezone: 'Europe/London' }),
    name: `Setup Co ${n}`,
    email: `setup${n}@example.com`,
    businessTypes,
  });
  const location = await Location.create({ companyId: company._id, label: 'Main', address: '1 Main Street', isMain: true });
  const session = await mongoose.startSession();
  try {
    await session.withTransaction(() =>
      provisionCompanyDefaults({ companyId: company._id, businessTypes, locationId: location._id }, session),
    );
  } finally {
    await session.endSession();
  }
  const manager = await createStaff(company._id, 'manager');
  const receptionist = await createStaff(company._id, 'receptionist');
  return {
    companyId: company._id,
    id: String(company._id),
    locationId: location._id,
    manager: bearer(accessTokenFor(config, manager.userId)),
    receptionist: bearer(accessTokenFor(config, receptionist.userId)),
  };
}

/** Every catalogue document of the company, as stored (ids included), in a stable order. */
export async function catalogue(companyId: Types.ObjectId) {
  const [resourceTypes, resources, services, items] = await Promise.all([
    ResourceType.find({ companyId }).sort({ _id: 1 }).lean(),
    Resource.find({ companyId }).sort({ _id: 1 }).lean(),
    ServiceCategory.find({ companyId }).sort({ _id: 1 }).lean(),
    ServiceItem.find({ companyId }).sort({ _id: 1 }).lean(),
  ]);
  return { resourceTypes, resources, services, items };
}

export const names = (docs: { name?: string | null; label?: string | null }[]): string[] => docs.map((d) => d.name ?? d.label ?? '').sort();

export const ids = (docs: { _id: Types.ObjectId }[]): string[] => docs.map((d) => String(d._id)).sort();

export const GROOMING_SERVICES = ['Basic Groom', 'Bath & Brush', 'Cat Groom', 'Cat Nail Trim', 'Full Groom', 'Nail Trim'];
export const GROOMING_RESOURCES = ['Drying Station 1', 'Grooming Table 1', 'Grooming Table 2', 'Grooming Tub 1'];

export type Reset = 'reset-services' | 'reset-resources' | 'reset-all';

/** POST a reset as the company's manager (`id`: the company named in the path). */
export const resetAs = (app: Express, co: SetupCompany, which: Reset, query = '', id = co.id) =>
  request(app).post(`${SETUP}/company/${id}/${which}${query}`).set(co.manager).send({});

/** An appointment of the company on its first service, `hoursFromNow` (negative: in the past). */
export async function appointment(co: SetupCompany, hoursFromNow: number, status: AppointmentStatus = 'scheduled') {
  const service = (await ServiceCategory.findOne({ companyId: co.companyId }).lean())!;
  const item = (await ServiceItem.findOne({ companyId: co.companyId, serviceCategoryId: service._id }).lean())!;
  const customerId = await createCustomer(co.companyId);
  const petId = await createPet(co.companyId, customerId);
  const groomer = await createStaff(co.companyId, 'groomer');
  const w = { companyId: co.companyId, locationId: co.locationId, customerId, petId, serviceId: service._id, itemIds: [item._id] };
  return createAppointmentDoc(w, groomer.userId, new Date(Date.now() + hoursFromNow * 3_600_000), { status });
}

/** One unit of the company's first resource type held by the appointment, tomorrow for an hour. */
export async function reserveResource(co: SetupCompany, appointmentId: Types.ObjectId) {
  const type = (await ResourceType.findOne({ companyId: co.companyId }).lean())!;
  const start = new Date(Date.now() + 86_400_000);
  await ResourceReservation.create({
    companyId: co.companyId,
    locationId: co.locationId,
    appointmentId,
    appointmentItemId: appointmentId,
    resourceTypeId: type._id,
    start,
    end: new Date(start.getTime() + 3_600_000),
  });
}
