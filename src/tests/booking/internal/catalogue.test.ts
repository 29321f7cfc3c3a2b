/**
 * The bot's reads and add_pet: staff who can do a service at a location (and are free then),
 * locations (main first), active services with active variants, a customer's pets, and a new pet
 * whose refusals are 400 VALIDATION_FAILED (never 500).
 */
import { Pet } from '../../../models/Pet';
import {
  bookingWorld,
  createAppointmentDoc,
  createBookingLocation,
  createService,
  createStaffMember,
  type BookingWorld,
} from '../../factories/booking';
import { useTestDatabase } from '../../helpers/database';
import { at, bookingApp, s } from './support';

useTestDatabase();
const { api } = bookingApp();
let w: BookingWorld;

beforeEach(async () => {
  w = await bookingWorld();
});

describe('GET /staff', () => {
  test('when a service and location are named, then active staff of an allowed role, qualified, working there', async () => {
    const vetService = await createService(w.companyId, { allowedRoles: ['veterinarian'] });
    const elsewhere = await createBookingLocation(w.companyId);
    await createStaffMember(w.companyId, { fullName: 'Zed Inactive', locationIds: [w.locationId], isActive: false });
    await createStaffMember(w.companyId, { fullName: 'Yan Elsewhere', locationIds: [elsewhere] });
    await createStaffMember(w.companyId, { fullName: 'Xia Anywhere' });
    await createStaffMember(w.companyId, { fullName: 'Wes Vet', role: 'veterinarian', locationIds: [w.locationId] });
    await createStaffMember(w.companyId, {
      fullName: 'Val Narrow',
      locationIds: [w.locationId],
      serviceCategoryIds: [vetService.serviceId],
    });
    const names = async (q: Record<string, unknown>) => {
      const res = await api.get('/staff', { companyId: s(w.companyId), ...q });
      expect(res.status).toBe(200);
      expect(res.body.count).toBe(res.body.staff.length);
      return (res.body.staff as { fullName: string }[]).map((u) => u.fullName);
    };
    expect(await names({ serviceId: s(w.serviceId), locationId: s(w.locationId) })).toEqual([
      'Ana Groomer',
      'Beka Groomer',
      'Xia Anywhere',
    ]);
    expect(await names({ serviceItemId: s(w.itemIds[0]), locationId: s(elsewhere) })).toEqual(['Xia Anywhere', 'Yan Elsewhere']);
    expect(await names({ serviceId: s(vetService.serviceId) })).toEqual(['Wes Vet']);
  });

  test('when a time is given, then only the staff the engine finds free then', async () => {
    await createAppointmentDoc(w, w.staff[0]!, new Date(at('10:00')));
    const res = await api.get('/staff', {
      companyId: s(w.companyId),
      serviceId: s(w.serviceId),
      locationId: s(w.locationId),
      start: at('10:30'),
      end: at('11:30'),
    });
    expect(res.status).toBe(200);
    expect(res.body.staff.map((u: { _id: string }) => u._id)).toEqual([s(w.staff[1])]);
  });

  test('when only start is given, then 400', async () => {
    const res = await api.get('/staff', { companyId: s(w.companyId), start: at('10:30') });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });
});

test('GET /locations: the main location first, with the fields the bot shows', async () => {
  await createBookingLocation(w.companyId, {
    label: 'Annex',
    phone: '+995 32 200 00 00',
    workHours: [{ weekday: 1, startTime: '10:00', endTime: '14:00' }],
  });
  const res = await api.get('/locations', { companyId: s(w.companyId) });
  expect(res.status).toBe(200);
  expect(res.body.locations.map((l: { label: string }) => l.label)).toEqual(['Main', 'Annex']);
  expect(res.body.locations[0]).toMatchObject({ label: 'Main', address: '1 Main Street', isMain: true, timezone: 'Asia/Tbilisi' });
  expect(res.body.locations[1]).toMatchObject({
    phone: '+995 32 200 00 00',
    workHours: [{ weekday: 1, startTime: '10:00', endTime: '14:00' }],
  });
});

test('GET /services: active services with their active variants; a species includes the services for both', async () => {
  await createService(w.companyId, { name: 'Retired', active: false });
  await createService(w.companyId, { name: 'Cat Trim', species: 'cat' });
  await createService(w.companyId, {
    name: 'Bath',
    species: 'dog&cat',
    variants: [
      { size: 'all', durationMinutes: 30, price: 15 },
      { size: 'XL', durationMinutes: 60, price: 25, active: false },
    ],
  });
  const res = await api.get('/services', { companyId: s(w.companyId) });
  expect(res.status).toBe(200);
  expect(res.body.services.map((x: { name: string }) => x.name)).toEqual(['Bath', 'Cat Trim', 'Full Groom']);
  expect(res.body.services[0].items).toEqual([expect.objectContaining({ size: 'all', durationMinutes: 30, price: 15 })]);
  const dogs = await api.get('/services', { companyId: s(w.companyId), species: 'dog' });
  expect(dogs.body.services.map((x: { name: string }) => x.name)).toEqual(['Bath', 'Full Groom']);
});

describe('pets', () => {
  const path = () => `/customers/${s(w.customerId)}/pets`;

  test('when a pet is added, then 201 with it, and the list has the oldest first', async () => {
    const res = await api.post(path(), { companyId: s(w.companyId), name: 'Luna', species: 'Cat', size: 'small', breed: 'Siamese' });
    expect(res.status).toBe(201);
    expect(res.body.pet).toMatchObject({ name: 'Luna', species: 'cat', size: 'S', sex: 'unknown', customerId: s(w.customerId) });
    const list = await api.get(path(), { companyId: s(w.companyId) });
    expect(list.status).toBe(200);
    expect(list.body.pets.map((p: { _id: string }) => p._id)).toEqual([s(w.petId), res.body.pet._id]);
  });

  test.each([
    ['an unknown species', { species: 'dragon' }, 'species must be one of: dog, cat, other'],
    ['a weight over 200 kg', { weightKg: 500 }, expect.stringContaining('weightKg')],
    ['a name over 50 characters', { name: 'n'.repeat(51) }, expect.stringContaining('name')],
    ['an unknown sex', { sex: 'robot' }, 'sex must be one of: male, female, unknown'],
  ])('when the pet has %s, then 400 VALIDATION_FAILED with the message and nothing is stored', async (_what, over, message) => {
    const res = await api.post(path(), { companyId: s(w.companyId), name: 'Luna', species: 'dog', ...over });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: 'VALIDATION_FAILED', validationErrors: [message] });
    expect(await Pet.countDocuments({ companyId: w.companyId })).toBe(1);
  });

  test('when a field has the wrong type, then 400 VALIDATION_ERROR', async () => {
    const res = await api.post(path(), { companyId: s(w.companyId), name: 7, species: 'dog' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR', details: [expect.objectContaining({ field: 'name' })] });
  });
});
