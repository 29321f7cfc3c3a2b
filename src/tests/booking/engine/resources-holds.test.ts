/**
 * Resource capacity per location, released on cancel, moved on reschedule (B-4, B-5);
 * holds that block other customers and expire (B-23); time off.
 */
import request from 'supertest';
import { Types } from 'mongoose';
import mongoose from 'mongoose';
import { BookingHold } from '../../../models/BookingHold';
import { Resource } from '../../../models/Resource';
import { ResourceReservation } from '../../../models/ResourceReservation';
import { ResourceType } from '../../../models/ResourceType';
import { Location } from '../../../models/Location';
import { manualClock } from '../../../utils/clock';
import { useTestDatabase } from '../../helpers/database';
import { addCustomer, auth, book, bookingApp, bookingBody, createSalon, nextWeekday, type Salon } from '../support';

useTestDatabase();

const clock = manualClock(new Date());
const { app, config } = bookingApp({ clock });
const day = nextWeekday(3);
const at = (hhmm: string) => `${day}T${hhmm}:00.000Z`;

async function tubs(salon: Salon, count: number, locationId = salon.locationId): Promise<Types.ObjectId> {
  const type = await ResourceType.create({ companyId: salon.companyId, name: 'Tub' });
  for (let i = 0; i < count; i++) {
    await Resource.create({ companyId: salon.companyId, locationId, resourceTypeId: type._id, species: ['all'], label: `Tub ${i + 1}` });
  }
  return type._id;
}

describe('resource capacity', () => {
  let salon: Salon;
  beforeEach(async () => {
    clock.set(new Date());
    const typeId = new Types.ObjectId();
    salon = await createSalon(config, { groomers: 3, requiredResources: [{ resourceTypeId: typeId }] });
    // The salon's item needs one unit of `typeId`; make that type exist with two tubs here.
    await ResourceType.create({ _id: typeId, companyId: salon.companyId, name: 'Tub' });
    for (const label of ['Tub 1', 'Tub 2']) {
      await Resource.create({ companyId: salon.companyId, locationId: salon.locationId, resourceTypeId: typeId, species: ['all'], label });
    }
    // Tubs at another location do not count here.
    const elsewhere = await Location.create({ companyId: salon.companyId, label: 'Uptown', address: '2 Side St' });
    await tubs(salon, 3, String(elsewhere._id));
  });
  const withGroomer = (i: number, start: string) => bookingBody(salon, start, { staffId: salon.groomers[i]!.id });

  it('takes two bookings at once with two tubs, refuses the third with 409 RESOURCE_CONFLICT', async () => {
    expect((await book(app, salon.manager, withGroomer(0, at('10:00')))).status).toBe(201);
    expect((await book(app, salon.manager, withGroomer(1, at('10:30')))).status).toBe(201);
    const third = await book(app, salon.manager, withGroomer(2, at('10:45')));
    expect(third.status).toBe(409);
    expect(third.body.error).toMatchObject({ code: 'RESOURCE_CONFLICT', message: 'Resource unavailable: Insufficient resource capacity' });
    // Back-to-back with the first one is fine: at 11:00 only one tub is in use.
    expect((await book(app, salon.manager, withGroomer(2, at('11:00')))).status).toBe(201);
  });

  it('gives the tub back when an appointment is canceled or a no-show (A-5)', async () => {
    const a = (await book(app, salon.manager, withGroomer(0, at('10:00')))).body.appointment._id;
    expect((await book(app, salon.manager, withGroomer(1, at('10:00')))).status).toBe(201);
    expect((await book(app, salon.manager, withGroomer(2, at('10:00')))).status).toBe(409);
    await request(app).delete(`/api/v1/appointments/${a}`).set(auth(salon.manager)).send({ reason: 'customer_requested' }).expect(200);
    expect(await ResourceReservation.countDocuments({ companyId: salon.companyId, appointmentId: a })).toBe(0);
    expect((await book(app, salon.manager, withGroomer(2, at('10:00')))).status).toBe(201);
  });

  it('moves reservations with a reschedule, without counting the appointment against itself (B-4, B-5)', async () => {
    const a = (await book(app, salon.manager, withGroomer(0, at('10:00')))).body.appointment._id;
    expect((await book(app, salon.manager, withGroomer(1, at('10:00')))).status).toBe(201);
    // Capacity is exactly used; shrinking or keeping the window must still work.
    const moved = await request(app)
      .put(`/api/v1/appointments/${a}`)
      .set(auth(salon.manager))
      .send({ start: at('10:00'), end: at('11:00'), notes: 'same time' });
    expect(moved.status).toBe(200);
    const later = await request(app)
      .put(`/api/v1/appointments/${a}`)
      .set(auth(salon.manager))
      .send({ start: at('14:00') });
    expect(later.status).toBe(200);
    expect(later.body.appointment).toMatchObject({ start: at('14:00'), end: at('15:00'), notes: 'same time' });
    const reservations = await ResourceReservation.find({ companyId: salon.companyId, appointmentId: a }).lean();
    expect(reservations.map((r) => [r.start.toISOString(), String(r.locationId)])).toEqual([[at('14:00'), salon.locationId]]);
    expect((await book(app, salon.manager, withGroomer(2, at('10:00')))).status).toBe(201);
  });

  it('a refused reschedule changes nothing', async () => {
    const a = (await book(app, salon.manager, withGroomer(0, at('10:00')))).body.appointment._id;
    expect((await book(app, salon.manager, withGroomer(1, at('14:00')))).status).toBe(201);
    const clash = await request(app)
      .put(`/api/v1/appointments/${a}`)
      .set(auth(salon.manager))
      .send({ start: at('14:00'), staffId: salon.groomers[1]!.id });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toBe('Reschedule not available: Overlapping appointment');
    const stored = await request(app).get(`/api/v1/appointments/${a}`).set(auth(salon.manager));
    expect(stored.body).toMatchObject({ start: at('10:00'), staffId: { _id: salon.groomers[0]!.id } });
  });
});

describe('holds', () => {
  let salon: Salon;
  beforeEach(async () => {
    clock.set(new Date());
    salon = await createSalon(config);
  });
  const hold = (customerId: string, start: string, extra: Record<string, unknown> = {}) =>
    request(app)
      .post('/api/v1/holds')
      .set(auth(salon.receptionist))
      .send({
        customerId,
        serviceItemId: salon.serviceItemId,
        staffId: salon.groomers[0]!.id,
        locationId: salon.locationId,
        start,
        ...extra,
      });

  it('blocks other customers, not its owner, until it expires; then it is ignored', async () => {
    const other = await addCustomer(salon);
    const h = await hold(other.customerId, at('10:00'), { ttlSeconds: 60 });
    expect(h.status).toBe(201);
    expect(h.body.hold).toMatchObject({ customerId: other.customerId, createdBy: 'web' });
    const blocked = await book(app, salon.manager, bookingBody(salon, at('10:30')));
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.message).toBe('Booking not available: Slot is held by another customer');
    expect((await hold(salon.customerId, at('10:00'))).status).toBe(409);
    clock.advance(61_000);
    expect((await book(app, salon.manager, bookingBody(salon, at('10:30')))).status).toBe(201);
  });

  it('lets its owner book it, and the booking uses the hold up', async () => {
    const h = await hold(salon.customerId, at('10:00'));
    const res = await book(app, salon.manager, bookingBody(salon, at('10:00'), { holdId: h.body.hold._id }));
    expect(res.status).toBe(201);
    expect(await BookingHold.countDocuments({ companyId: salon.companyId })).toBe(0);
  });

  it('two customers racing for one slot: exactly one hold', async () => {
    const others = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => addCustomer(salon, `Racer ${i}`)));
    const results = await Promise.all(others.map((o) => hold(o.customerId, at('11:00'))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
  });

  it('expire through a single-field TTL index (B-23), and can be listed and released', async () => {
    const indexes = await mongoose.connection.db!.collection('bookingholds').indexes();
    expect(indexes.find((i) => i.expireAfterSeconds === 0)?.key).toEqual({ expiresAt: 1 });
    const h = await hold(salon.customerId, at('10:00'));
    expect((await request(app).get('/api/v1/holds').set(auth(salon.manager))).body.items).toHaveLength(1);
    expect((await request(app).delete(`/api/v1/holds/${h.body.hold._id}`).set(auth(salon.manager))).status).toBe(200);
    expect((await request(app).delete(`/api/v1/holds/${h.body.hold._id}`).set(auth(salon.manager))).status).toBe(404);
    expect((await request(app).post('/api/v1/holds').set(auth(salon.groomers[0]!)).send({})).status).toBe(403);
  });
});

describe('time off', () => {
  let salon: Salon;
  beforeEach(async () => {
    clock.set(new Date());
    salon = await createSalon(config);
  });
  const path = (s: Salon, id = s.groomers[0]!.id) => `/api/v1/catalog/staff/${id}/time-off`;

  it('is created, listed, moved and deleted by a manager, and blocks bookings while it lasts', async () => {
    const booked = (await book(app, salon.manager, bookingBody(salon, at('10:00')))).body.appointment._id;
    const created = await request(app)
      .post(path(salon))
      .set(auth(salon.manager))
      .send({ start: at('09:00'), end: at('12:00'), reason: 'vet visit' });
    expect(created.status).toBe(201);
    expect(created.body.conflictingAppointments).toEqual([booked]);
    const res = await book(app, salon.manager, bookingBody(salon, at('11:00')));
    expect(res.body.error.message).toBe('Booking not available: Staff time off');
    const id = created.body.timeOff._id;
    expect((await request(app).get(path(salon)).set(auth(salon.receptionist))).body.items).toHaveLength(1);
    const moved = await request(app)
      .put(`${path(salon)}/${id}`)
      .set(auth(salon.manager))
      .send({ end: at('09:30') });
    expect(moved.status).toBe(200);
    expect(moved.body.conflictingAppointments).toEqual([]);
    expect((await book(app, salon.manager, bookingBody(salon, at('11:00')))).status).toBe(201);
    expect(
      (
        await request(app)
          .delete(`${path(salon)}/${id}`)
          .set(auth(salon.manager))
      ).status,
    ).toBe(200);
  });

  it('refuses inverted ranges, other companies and non-managers', async () => {
    expect(
      (
        await request(app)
          .post(path(salon))
          .set(auth(salon.manager))
          .send({ start: at('12:00'), end: at('09:00') })
      ).status,
    ).toBe(400);
    const other = await createSalon(config);
    expect(
      (
        await request(app)
          .post(path(salon, other.groomers[0]!.id))
          .set(auth(salon.manager))
          .send({ start: at('09:00'), end: at('10:00') })
      ).status,
    ).toBe(404);
    expect(
      (
        await request(app)
          .post(path(salon))
          .set(auth(salon.receptionist))
          .send({ start: at('09:00'), end: at('10:00') })
      ).status,
    ).toBe(403);
  });
});
