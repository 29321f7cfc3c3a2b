/**
 * The availability rules of §5.3 with the defects of §11.4–11.5 fixed, through the dashboard's
 * routes: each case would pass (or fail) differently on the original.
 */
import { Types } from 'mongoose';
import request from 'supertest';
import { Appointment } from '../../../models/Appointment';
import { Company } from '../../../models/Company';
import { Location } from '../../../models/Location';
import { StaffSchedule } from '../../../models/StaffSchedule';
import { User } from '../../../models/User';
import { manualClock } from '../../../utils/clock';
import { accessTokenFor, bearer, createStaff } from '../../factories/accounts';
import { useTestDatabase } from '../../helpers/database';
import { auth, book, bookingApp, bookingBody, createSalon, nextWeekday, type Salon } from '../support';

useTestDatabase();

const clock = manualClock(new Date());
const { app, config } = bookingApp({ clock });
const monday = nextWeekday(1);
const at = (hhmm: string, date = monday) => `${date}T${hhmm}:00.000Z`;
let salon: Salon;
let groomer: string;

beforeEach(async () => {
  clock.set(new Date());
  salon = await createSalon(config);
  groomer = salon.groomers[0]!.id;
});

const reason = async (body: Record<string, unknown>) => {
  const res = await book(app, salon.manager, body);
  return res.status === 201 ? 'booked' : `${res.status} ${res.body.error.code}: ${res.body.error.message}`;
};

describe('who may take the booking (A-7)', () => {
  it('refuses an inactive groomer, a groomer of another location and a role the service does not allow', async () => {
    await User.updateOne({ _id: groomer, companyId: salon.companyId }, { $set: { isActive: false } });
    expect(await reason(bookingBody(salon, at('10:00')))).toBe('400 STAFF_NOT_QUALIFIED: Staff member is not active');
    await User.updateOne({ _id: groomer, companyId: salon.companyId }, { $set: { isActive: true } });
    const uptown = await Location.create({ companyId: salon.companyId, label: 'Uptown', address: '2 Side St' });
    expect(await reason(bookingBody(salon, at('10:00'), { locationId: String(uptown._id) }))).toBe(
      '400 STAFF_NOT_QUALIFIED: Staff member does not work at this location',
    );
    expect(await reason(bookingBody(salon, at('10:00'), { staffId: salon.manager.id }))).toMatch(
      /^400 STAFF_NOT_QUALIFIED: Staff role manager/,
    );
  });

  it('a schedule at another location does not make the groomer available here (A-3)', async () => {
    const uptown = await Location.create({ companyId: salon.companyId, label: 'Uptown', address: '2 Side St' });
    await User.updateOne({ _id: groomer, companyId: salon.companyId }, { $push: { locationIds: uptown._id } });
    // Scheduled only at Main: at Uptown there is no schedule for Monday, and company hours do not apply.
    expect(await reason(bookingBody(salon, at('10:00'), { locationId: String(uptown._id) }))).toBe(
      '409 BOOKING_CONFLICT: Booking not available: No schedule for this day',
    );
  });
});

describe('time rules', () => {
  it('judges a midnight-crossing appointment by its whole interval (A-2) and allows overnight schedules', async () => {
    expect(await reason(bookingBody(salon, at('16:30'), { end: at('09:30', nextWeekday(2)) }))).toBe(
      '409 BOOKING_CONFLICT: Booking not available: Outside working hours',
    );
    await StaffSchedule.updateOne(
      { companyId: salon.companyId, userId: groomer, weekday: 1 },
      { $set: { startTime: '20:00', endTime: '06:00', breakWindows: [] } },
    );
    expect(await reason(bookingBody(salon, at('23:30')))).toBe('booked');
  });

  it('refuses end before start on a reschedule too (A-9), durations of 0 or over a day, and the past (A-12)', async () => {
    const id = (await book(app, salon.manager, bookingBody(salon, at('10:00')))).body.appointment._id;
    const inverted = await request(app)
      .put(`/api/v1/appointments/${id}`)
      .set(auth(salon.manager))
      .send({ start: at('11:00'), end: at('10:30') });
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.code).toBe('VALIDATION_FAILED');
    expect(await reason(bookingBody(salon, at('14:00'), { end: at('14:00') }))).toMatch(/^400 VALIDATION_FAILED/);
    expect(await reason(bookingBody(salon, at('09:00'), { end: at('09:30', nextWeekday(3)) }))).toMatch(/longer than a day/);
    expect(await reason(bookingBody(salon, at('14:00'), { end: at('14:20') }))).toMatch(/at least the service's 60 minutes/);
    expect(await reason(bookingBody(salon, '2020-01-06T10:00:00.000Z'))).toMatch(/in the past/);
    expect(await Appointment.countDocuments({ companyId: salon.companyId })).toBe(1);
  });

  it('closes on company and location holidays (A-11)', async () => {
    await Company.updateOne({ _id: salon.companyId }, { $set: { 'settings.holidays': [new Date(`${monday}T00:00:00.000Z`)] } });
    expect(await reason(bookingBody(salon, at('10:00')))).toBe('409 BOOKING_CONFLICT: Booking not available: Closed for holiday');
  });

  it('a status-only change does not re-check qualification (A-10)', async () => {
    const id = (await book(app, salon.manager, bookingBody(salon, at('10:00')))).body.appointment._id;
    await User.updateOne({ _id: groomer, companyId: salon.companyId }, { $set: { serviceCategoryIds: [salon.locationId] } });
    const res = await request(app).put(`/api/v1/appointments/${id}`).set(auth(salon.manager)).send({ status: 'checked_in' });
    expect(res.status).toBe(200);
  });
});

describe('lists and access', () => {
  it('lists from today in the company zone by default (Z-1)', async () => {
    await Company.updateOne({ _id: salon.companyId }, { $set: { timezone: 'Pacific/Kiritimati' } }); // UTC+14
    clock.set(new Date(`${monday}T08:00:00.000Z`)); // already Monday 22:00 in Kiritimati
    const id = (await book(app, salon.manager, bookingBody(salon, at('09:00')))).body.appointment._id;
    await Appointment.updateOne({ _id: id, companyId: salon.companyId }, { $set: { start: new Date(`${monday}T09:30:00.000Z`) } });
    // 09:30Z Monday is Monday 23:30 in Kiritimati: today there, so listed.
    clock.set(new Date(`${monday}T09:45:00.000Z`)); // Monday 23:45 local
    const res = await request(app).get('/api/v1/appointments').set(auth(salon.manager));
    expect(res.body.items.map((a: { _id: string }) => a._id)).toEqual([id]);
    clock.set(new Date(`${monday}T10:15:00.000Z`)); // Tuesday 00:15 local
    expect((await request(app).get('/api/v1/appointments').set(auth(salon.manager))).body.items).toEqual([]);
  });

  it('authenticates before validating (S-12) and limits per user with a JSON 429 (O-6)', async () => {
    const anon = await request(app).post('/api/v1/appointments').send({ start: 'nonsense' });
    expect(anon.status).toBe(401);
    const { app: limited, config: limitedConfig } = bookingApp({ env: { APPOINTMENT_RATE_LIMIT_MAX: '2' } });
    const as = (p: { id: string }) => bearer(accessTokenFor(limitedConfig, new Types.ObjectId(p.id)));
    for (let i = 0; i < 2; i++) expect((await request(limited).get('/api/v1/appointments').set(as(salon.manager))).status).toBe(200);
    const refused = await request(limited).get('/api/v1/appointments').set(as(salon.manager));
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
    // Another user behind the same IP is counted on their own.
    expect((await request(limited).get('/api/v1/appointments').set(as(salon.receptionist))).status).toBe(200);
  });

  it("lists a customer's appointments to the company's staff only, a provider seeing only their own (S-7, B49)", async () => {
    await book(app, salon.manager, bookingBody(salon, at('10:00'))).expect(201);
    const res = await request(app)
      .get(`/api/v1/appointments/customer/${salon.customerId}`)
      .query({ upcoming: 'true' })
      .set(auth(salon.receptionist));
    expect(res.body).toMatchObject({ success: true, count: 1 });
    expect(res.body.appointments[0].locationId).toMatchObject({ label: 'Main', address: '1 Main Street' });
    const other = await createSalon(config);
    expect((await request(app).get(`/api/v1/appointments/customer/${salon.customerId}`).set(auth(other.manager))).status).toBe(404);
    const vet = await createStaff(new Types.ObjectId(salon.companyId), 'veterinarian');
    const asVet = await request(app)
      .get(`/api/v1/appointments/customer/${salon.customerId}`)
      .set(bearer(accessTokenFor(config, vet.userId)));
    expect(asVet.status).toBe(200);
    expect(asVet.body).toMatchObject({ success: true, count: 0 });
  });
});

describe('concurrent changes of one appointment', () => {
  it('two status changes at once: one wins, the other is refused by the table (R-5)', async () => {
    const id = (await book(app, salon.manager, bookingBody(salon, at('10:00')))).body.appointment._id;
    const send = (body: Record<string, unknown>) =>
      request(app).patch(`/api/v1/appointments/${id}/status`).set(auth(salon.manager)).send(body);
    const results = await Promise.all([
      send({ status: 'canceled', reason: 'other' }),
      send({ status: 'no_show', reason: 'customer_forgot' }),
      send({ status: 'checked_in' }),
    ]);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    const final = await Appointment.findOne({ _id: id, companyId: salon.companyId }).lean();
    const winners = results.filter((r) => r.status === 200).map((r) => r.body.appointment.status);
    // Whatever the order, the stored history is a path of the table: never two terminal states.
    expect(winners.filter((s) => s === 'canceled' || s === 'no_show').length).toBeLessThanOrEqual(1);
    expect(['canceled', 'no_show', 'checked_in']).toContain(final?.status);
  });

  it('two reschedules of two appointments into the same slot: one wins (R-6)', async () => {
    const a = (await book(app, salon.manager, bookingBody(salon, at('09:00')))).body.appointment._id;
    const b = (await book(app, salon.manager, bookingBody(salon, at('15:00')))).body.appointment._id;
    const move = (id: string) =>
      request(app)
        .put(`/api/v1/appointments/${id}`)
        .set(auth(salon.manager))
        .send({ start: at('11:00') });
    const results = await Promise.all([move(a), move(b)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});
