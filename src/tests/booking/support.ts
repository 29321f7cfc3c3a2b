/**
 * A grooming salon for the booking suites, written straight to the test database: a company and
 * location in a given zone, a manager, a receptionist and groomers (with weekly schedules and
 * tokens), a service with one 60-minute variant, and a customer with a dog.
 */
import type { Express } from 'express';
import { Types } from 'mongoose';
import request from 'supertest';
import { buildApp } from '../../app';
import type { Config } from '../../config/env';
import { Company } from '../../models/Company';
import { Contact } from '../../models/Contact';
import { Location } from '../../models/Location';
import { Pet } from '../../models/Pet';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { StaffSchedule } from '../../models/StaffSchedule';
import { User } from '../../models/User';
import { recordingRealtime } from '../../socket/realtime';
import type { Clock } from '../../utils/clock';
import { accessTokenFor, createStaff } from '../factories/accounts';
import { testConfig } from '../helpers/config';

export interface Person {
  id: string;
  token: string;
}

export interface Salon {
  companyId: string;
  locationId: string;
  serviceId: string;
  serviceItemId: string;
  customerId: string;
  petId: string;
  manager: Person;
  receptionist: Person;
  groomers: Person[];
}

export function bookingApp(options: { clock?: Clock; env?: Record<string, string> } = {}) {
  const config: Config = testConfig({ APPOINTMENT_RATE_LIMIT_MAX: '100000', ...options.env });
  const realtime = recordingRealtime();
  const app: Express = buildApp({ config, realtime, ...(options.clock ? { clock: options.clock } : {}) });
  return { app, config, realtime };
}

let seq = 0;

export interface SalonOptions {
  timezone?: string;
  groomers?: number;
  /** Weekly hours of every groomer (default Mon–Sat 09:00–17:00 with a 12:00–13:00 break). */
  schedule?: { weekday: number; startTime: string; endTime: string; breakWindows?: { start: string; end: string }[] }[];
  durationMinutes?: number;
  requiredResources?: { resourceTypeId: Types.ObjectId; quantity?: number; durationMinutes?: number }[];
}

export const WEEKDAYS_9_TO_5 = [1, 2, 3, 4, 5, 6].map((weekday) => ({
  weekday,
  startTime: '09:00',
  endTime: '17:00',
  breakWindows: [{ start: '12:00', end: '13:00' }],
}));

export async function createSalon(config: Config, options: SalonOptions = {}): Promise<Salon> {
  const n = ++seq;
  const timezone = options.timezone ?? 'UTC';
  const company = await Company.create({
    name: `Salon ${n}`,
    email: `salon${n}@example.com`,
    timezone,
    businessTypes: ['grooming'],
    settings: { workHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startTime: '09:00', endTime: '18:00' })) },
  });
  const companyId = company._id;
  const location = await Location.create({ companyId, label: 'Main', address: '1 Main Street', isMain: true, timezone });
  const service = await ServiceCategory.create({ companyId, name: 'Full Groom', species: 'dog', allowedRoles: ['groomer'] });
  const item = await ServiceItem.create({
    companyId,
    serviceCategoryId: service._id,
    size: 'M',
    coatType: 'all',
    durationMinutes: options.durationMinutes ?? 60,
    price: 50,
    requiredResources: (options.requiredResources ?? []).map((r) => ({ durationMinutes: 30, ...r })),
  });
  const person = async (role: 'manager' | 'receptionist' | 'groomer'): Promise<Person> => {
    const u = await createStaff(companyId, role);
    await User.updateOne({ _id: u.userId, companyId }, { $set: { locationIds: [location._id], primaryLocationId: location._id } });
    return { id: String(u.userId), token: accessTokenFor(config, u.userId) };
  };
  const manager = await person('manager');
  const receptionist = await person('receptionist');
  const groomers: Person[] = [];
  for (let i = 0; i < (options.groomers ?? 1); i++) {
    const g = await person('groomer');
    await StaffSchedule.insertMany(
      (options.schedule ?? WEEKDAYS_9_TO_5).map((s) => ({ companyId, userId: g.id, locationId: location._id, breakWindows: [], ...s })),
    );
    groomers.push(g);
  }
  const customer = await Contact.create({
    companyId,
    fullName: `Customer ${n}`,
    phone: '+15550000000',
    email: `c${n}@example.com`,
    contactStatus: 'customer',
  });
  const pet = await Pet.create({ companyId, customerId: customer._id, name: 'Rex', species: 'dog', sex: 'male', size: 'M' });
  return {
    companyId: String(companyId),
    locationId: String(location._id),
    serviceId: String(service._id),
    serviceItemId: String(item._id),
    customerId: String(customer._id),
    petId: String(pet._id),
    manager,
    receptionist,
    groomers,
  };
}

/** Another customer (with a dog) of the salon. */
export async function addCustomer(salon: Salon, name = 'Other customer'): Promise<{ customerId: string; petId: string }> {
  const customer = await Contact.create({ companyId: salon.companyId, fullName: name, phone: '+15550000001', contactStatus: 'customer' });
  const pet = await Pet.create({ companyId: salon.companyId, customerId: customer._id, name: 'Bella', species: 'dog', sex: 'female' });
  return { customerId: String(customer._id), petId: String(pet._id) };
}

/** The body of a booking of the salon's service with a groomer. */
export function bookingBody(salon: Salon, start: string, overrides: Record<string, unknown> = {}) {
  return {
    customerId: salon.customerId,
    petId: salon.petId,
    serviceId: salon.serviceId,
    serviceItemId: salon.serviceItemId,
    staffId: salon.groomers[0]?.id,
    locationId: salon.locationId,
    start,
    ...overrides,
  };
}

export const auth = (p: Person) => ({ Authorization: `Bearer ${p.token}` });

export function book(app: Express, who: Person, body: Record<string, unknown>) {
  return request(app).post('/api/v1/appointments').set(auth(who)).send(body);
}

/** The next date (yyyy-MM-dd, UTC calendar) after today that falls on `weekday` (0 = Sunday). */
export function nextWeekday(weekday: number, from = new Date()): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + 1));
  while (d.getUTCDay() !== weekday) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export const oid = (): string => new Types.ObjectId().toHexString();
