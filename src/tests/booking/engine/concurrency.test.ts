/**
 * No double booking under concurrency, decided by the database: 50 simultaneous
 * bookings of overlapping windows, half from the dashboard's route and half from the Meta Bot's,
 * give exactly one appointment for one staff member, and exactly two for a resource type of
 * capacity 2. Runs against whatever database the suite uses (embedded, or TEST_MONGODB_URI).
 */
import request from 'supertest';
import { Types } from 'mongoose';
import { Appointment } from '../../../models/Appointment';
import { Resource } from '../../../models/Resource';
import { ResourceReservation } from '../../../models/ResourceReservation';
import { ResourceType } from '../../../models/ResourceType';
import { useTestDatabase } from '../../helpers/database';
import { addCustomer, book, bookingApp, bookingBody, createSalon, nextWeekday, type Salon } from '../support';

useTestDatabase();
jest.setTimeout(120_000);

const { app, config } = bookingApp();
const day = nextWeekday(4);
const startAt = (minutesAfterTen: number) => new Date(Date.parse(`${day}T10:00:00.000Z`) + minutesAfterTen * 60_000).toISOString();

function viaBot(body: Record<string, unknown>) {
  return request(app).post('/api/v1/internal/booking/appointments').set('x-api-key', config.internalApiKey).send(body);
}

/** Fires all requests at once and returns their statuses. */
async function race(salon: Salon, bodies: Record<string, unknown>[]): Promise<number[]> {
  const results = await Promise.all(
    bodies.map((body, i) => (i % 2 === 0 ? book(app, salon.receptionist, body) : viaBot({ ...body, companyId: salon.companyId }))),
  );
  for (const r of results) expect([201, 409]).toContain(r.status);
  return results.map((r) => r.status);
}

it('50 overlapping bookings of one groomer (dashboard and bot mixed): exactly one succeeds', async () => {
  const salon = await createSalon(config);
  const customers = await Promise.all(Array.from({ length: 50 }, (_, i) => addCustomer(salon, `Customer ${i}`)));
  // Every window overlaps every other: starts a minute apart, an hour long.
  const statuses = await race(
    salon,
    customers.map((c, i) => bookingBody(salon, startAt(i), { customerId: c.customerId, petId: c.petId })),
  );
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(await Appointment.countDocuments({ companyId: salon.companyId })).toBe(1);
});

it('50 simultaneous bookings of 50 groomers needing one of 2 tubs: exactly two succeed', async () => {
  const typeId = new Types.ObjectId();
  const salon = await createSalon(config, { groomers: 50, requiredResources: [{ resourceTypeId: typeId }] });
  await ResourceType.create({ _id: typeId, companyId: salon.companyId, name: 'Tub' });
  await Resource.create(
    [1, 2].map((n) => ({
      companyId: salon.companyId,
      locationId: salon.locationId,
      resourceTypeId: typeId,
      species: ['all'],
      label: `Tub ${n}`,
    })),
  );
  const statuses = await race(
    salon,
    salon.groomers.map((g, i) => bookingBody(salon, startAt(i % 30), { staffId: g.id })),
  );
  expect(statuses.filter((s) => s === 201)).toHaveLength(2);
  expect(await Appointment.countDocuments({ companyId: salon.companyId })).toBe(2);
  expect(await ResourceReservation.countDocuments({ companyId: salon.companyId })).toBe(2);
});
