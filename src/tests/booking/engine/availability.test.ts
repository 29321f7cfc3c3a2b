/**
 * GET /availability offers exactly what booking accepts: every 15-minute start of a busy day is
 * tried as a booking, and it succeeds if and only if the search offered it.
 */
import request from 'supertest';
import { Appointment } from '../../../models/Appointment';
import { Types } from 'mongoose';
import { Location } from '../../../models/Location';
import { TimeOff } from '../../../models/TimeOff';
import { User } from '../../../models/User';
import { createStaff } from '../../factories/accounts';
import { useTestDatabase } from '../../helpers/database';
import { addCustomer, auth, book, bookingApp, bookingBody, createSalon, nextWeekday, type Salon } from '../support';

useTestDatabase();

const { app, config } = bookingApp();
const day = nextWeekday(2);
const at = (hhmm: string) => `${day}T${hhmm}:00.000Z`;

async function offered(salon: Salon, query: Record<string, string> = {}) {
  const res = await request(app)
    .get('/api/v1/availability')
    .query({ serviceItemId: salon.serviceItemId, locationId: salon.locationId, from: day, to: day, ...query })
    .set(auth(salon.receptionist));
  expect(res.status).toBe(200);
  return res.body;
}

describe('GET /availability', () => {
  let salon: Salon;
  beforeEach(async () => {
    salon = await createSalon(config);
    const groomer = salon.groomers[0]!.id;
    // Busy: an appointment 10:00–11:00, time off 14:30–15:00, another customer's hold 15:30–16:30; break 12–13.
    expect((await book(app, salon.manager, bookingBody(salon, at('10:00')))).status).toBe(201);
    await TimeOff.create({ companyId: salon.companyId, userId: groomer, start: at('14:30'), end: at('15:00'), reason: 'dentist' });
    const other = await addCustomer(salon);
    const hold = await request(app)
      .post('/api/v1/holds')
      .set(auth(salon.receptionist))
      .send({
        customerId: other.customerId,
        serviceItemId: salon.serviceItemId,
        staffId: groomer,
        locationId: salon.locationId,
        start: at('15:30'),
      });
    expect(hold.status).toBe(201);
  });

  it('lists free slots per staff member with the zone and duration', async () => {
    const body = await offered(salon);
    expect(body).toMatchObject({ timezone: 'UTC', durationMinutes: 60, stepMinutes: 15, from: day, to: day });
    const starts = body.items[0].slots.map((s: { start: string }) => s.start.slice(11, 16));
    expect(starts).toContain('09:00');
    expect(starts).not.toContain('09:15'); // would overlap 10:00
    expect(starts).not.toContain('11:30'); // would overlap the break
    expect(starts).not.toContain('14:00'); // would overlap the time off
    expect(starts).not.toContain('15:00'); // would overlap the hold
    // 13:30 is the last: later starts run into the time off, the hold or closing time.
    expect(starts).toEqual(['09:00', '11:00', '13:00', '13:15', '13:30']);
    expect(body.items[0].slots[0]).toEqual({ start: at('09:00'), end: at('10:00') });
  });

  it('a slot it offers can be booked; a slot it hides cannot (every 15-minute start of the day)', async () => {
    const free = new Set<string>((await offered(salon)).items[0].slots.map((s: { start: string }) => s.start));
    for (let minutes = 8 * 60; minutes <= 17 * 60; minutes += 15) {
      const start = at(`${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`);
      const res = await book(app, salon.manager, bookingBody(salon, start));
      expect({ start, booked: res.status === 201 }).toEqual({ start, booked: free.has(start) });
      if (res.status === 201) {
        await request(app)
          .delete(`/api/v1/appointments/${res.body.appointment._id}`)
          .set(auth(salon.manager))
          .send({ reason: 'other' })
          .expect(200);
      } else expect(res.status).toBe(409);
    }
    expect(await Appointment.countDocuments({ companyId: salon.companyId, status: 'scheduled' })).toBe(1);
  });

  it('lists only groomers who work at the location, or who are assigned to none', async () => {
    const [floating, elsewhere] = await Promise.all([
      createStaff(new Types.ObjectId(salon.companyId), 'groomer'),
      createStaff(new Types.ObjectId(salon.companyId), 'groomer'),
    ]);
    const uptown = await Location.create({ companyId: salon.companyId, label: 'Uptown', address: '2 Side St' });
    await User.updateOne({ _id: elsewhere.userId, companyId: salon.companyId }, { $set: { locationIds: [uptown._id] } });
    const ids = (await offered(salon)).items.map((i: { staffId: string }) => i.staffId).sort();
    expect(ids).toEqual([salon.groomers[0]!.id, String(floating.userId)].sort());
  });

  it("shows the hold's owner their held slot", async () => {
    const owner = (await request(app).get('/api/v1/holds').set(auth(salon.manager))).body.items[0].customerId;
    const body = await offered(salon, { customerId: owner });
    expect(body.items[0].slots.map((s: { start: string }) => s.start)).toContain(at('15:30'));
  });

  it('rejects bad ranges and foreign ids', async () => {
    const q = { serviceItemId: salon.serviceItemId, locationId: salon.locationId };
    const bad = async (query: Record<string, string>, status: number) => {
      const res = await request(app).get('/api/v1/availability').query(query).set(auth(salon.receptionist));
      expect(res.status).toBe(status);
      return res.body.error.code;
    };
    expect(await bad({ ...q, from: '2027-02-30', to: '2027-03-01' }, 400)).toBe('VALIDATION_ERROR');
    expect(await bad({ ...q, from: '2027-03-05', to: '2027-03-01' }, 400)).toBe('INVALID_RANGE');
    expect(await bad({ ...q, from: '2027-01-01', to: '2027-03-01' }, 400)).toBe('RANGE_TOO_LONG');
    const other = await createSalon(config);
    expect(await bad({ serviceItemId: other.serviceItemId, locationId: salon.locationId, from: day, to: day }, 404)).toBe('NOT_FOUND');
  });
});
