/** A1–A7 through the dashboard's routes: booking, listing, reading, status changes and cancel. */
import request from 'supertest';
import { Appointment } from '../../../models/Appointment';
import { Contact } from '../../../models/Contact';
import { useTestDatabase } from '../../helpers/database';
import { addCustomer, auth, book, bookingApp, bookingBody, createSalon, nextWeekday, type Salon } from '../support';

useTestDatabase();

const { app, config, realtime } = bookingApp();
let salon: Salon;
const monday = nextWeekday(1);
const at = (hhmm: string, date = monday) => `${date}T${hhmm}:00.000Z`;

beforeEach(async () => {
  realtime.events.length = 0;
  salon = await createSalon(config);
});

describe('POST /appointments (A2)', () => {
  it('books a free slot: 201 with the populated appointment, end derived from the variant, one created event', async () => {
    const res = await book(app, salon.receptionist, bookingBody(salon, at('10:00')));
    expect(res.status).toBe(201);
    expect(res.body.message).toBe('Appointment created successfully');
    const a = res.body.appointment;
    expect(a).toMatchObject({ start: at('10:00'), end: at('11:00'), status: 'scheduled', source: 'online', locationId: salon.locationId });
    expect(a.staffId).toMatchObject({ _id: salon.groomers[0]!.id, role: 'groomer' });
    expect(a.customerId).toMatchObject({ _id: salon.customerId, phone: '+15550000000' });
    expect(a.petId).toMatchObject({ _id: salon.petId, name: 'Rex' });
    expect(a.serviceId).toMatchObject({ _id: salon.serviceId, name: 'Full Groom' });
    expect(a.audit.scheduledByUserId).toBe(salon.receptionist.id);
    const created = realtime.events.filter((e) => e.event === 'appointment:created');
    expect(created).toHaveLength(1);
    expect(created[0]!.companyId).toBe(salon.companyId);
  });

  it('ignores fields a client may not set (status, audit, companyId, googleCalendarEventId)', async () => {
    const res = await book(
      app,
      salon.manager,
      bookingBody(salon, at('10:00'), {
        status: 'completed',
        audit: { cancelReason: 'other' },
        googleCalendarEventId: 'x',
        googleSync: true,
      }),
    );
    expect(res.status).toBe(201);
    const stored = await Appointment.findOne({ companyId: salon.companyId }).lean();
    expect(stored).toMatchObject({ status: 'scheduled' });
    expect(stored?.googleCalendarEventId).toBeUndefined();
    expect(stored?.audit?.cancelReason).toBeUndefined();
  });

  it('refuses an overlapping booking of the same groomer with 409 BOOKING_CONFLICT and allows back-to-back', async () => {
    expect((await book(app, salon.manager, bookingBody(salon, at('10:00')))).status).toBe(201);
    const clash = await book(app, salon.manager, bookingBody(salon, at('10:30')));
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({ code: 'BOOKING_CONFLICT', message: 'Booking not available: Overlapping appointment' });
    expect((await book(app, salon.manager, bookingBody(salon, at('11:00')))).status).toBe(201);
  });

  it('answers each engine error with its own status (B-12): 400 STAFF_NOT_QUALIFIED, 400 VALIDATION_FAILED', async () => {
    const notGroomer = await book(app, salon.manager, bookingBody(salon, at('10:00'), { staffId: salon.receptionist.id }));
    expect(notGroomer.status).toBe(400);
    expect(notGroomer.body.error.code).toBe('STAFF_NOT_QUALIFIED');
    const inverted = await book(app, salon.manager, bookingBody(salon, at('10:00'), { end: at('09:00') }));
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('rejects a break-spanning appointment (A-1) but accepts one ending exactly when the break starts', async () => {
    const spanning = await book(app, salon.manager, bookingBody(salon, at('11:30'), { end: at('13:30') }));
    expect(spanning.status).toBe(409);
    expect(spanning.body.error.message).toBe('Booking not available: Overlaps with break time');
    expect((await book(app, salon.manager, bookingBody(salon, at('11:00')))).status).toBe(201);
    expect((await book(app, salon.manager, bookingBody(salon, at('13:00')))).status).toBe(201);
  });

  it('checks bad input before writing anything: invalid ids, unparsable dates, notes over 1000, unknown source', async () => {
    for (const body of [
      bookingBody(salon, 'tomorrow at ten'),
      bookingBody(salon, at('10:00'), { staffId: 'nope' }),
      bookingBody(salon, at('10:00'), { notes: 'x'.repeat(1001) }),
      bookingBody(salon, at('10:00'), { source: 'fax' }),
    ]) {
      const res = await book(app, salon.manager, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect(await Appointment.countDocuments({ companyId: salon.companyId })).toBe(0);
  });

  it('refuses another customer’s pet (A-8) and another company’s service (404)', async () => {
    const other = await addCustomer(salon);
    const wrongPet = await book(app, salon.manager, bookingBody(salon, at('10:00'), { petId: other.petId }));
    expect(wrongPet.status).toBe(400);
    expect(wrongPet.body.error.code).toBe('VALIDATION_FAILED');
    const elsewhere = await createSalon(config);
    const foreign = await book(app, salon.manager, bookingBody(salon, at('10:00'), { serviceItemId: elsewhere.serviceItemId }));
    expect(foreign.status).toBe(404);
    const foreignLocation = await book(app, salon.manager, bookingBody(salon, at('10:00'), { locationId: elsewhere.locationId }));
    expect(foreignLocation.status).toBe(400);
    expect(foreignLocation.body.error.code).toBe('INVALID_LOCATION');
  });

  it('turns a lead who books into a customer', async () => {
    await Contact.updateOne({ _id: salon.customerId, companyId: salon.companyId }, { $set: { contactStatus: 'lead', leadStage: 'new' } });
    expect((await book(app, salon.manager, bookingBody(salon, at('10:00')))).status).toBe(201);
    const contact = await Contact.findOne({ _id: salon.customerId, companyId: salon.companyId }).lean();
    expect(contact).toMatchObject({ contactStatus: 'customer', convertedToCustomerAt: expect.any(Date) });
    expect(contact?.leadStage).toBeUndefined();
  });

  it('is for managers and receptionists only', async () => {
    const res = await book(app, salon.groomers[0]!, bookingBody(salon, at('10:00')));
    expect(res.status).toBe(403);
  });
});

describe('GET /appointments (A1)', () => {
  beforeEach(async () => {
    for (const t of ['14:00', '10:00', '15:00']) expect((await book(app, salon.manager, bookingBody(salon, at(t)))).status).toBe(201);
    const id = (await Appointment.findOne({ companyId: salon.companyId, start: new Date(at('15:00')) }).lean())!._id;
    await request(app).delete(`/api/v1/appointments/${id}`).set(auth(salon.manager)).send({ reason: 'customer_requested' }).expect(200);
  });

  it('accepts a comma-separated status filter (B-9) and sorts by startTime in the asked direction (B-10, B-11)', async () => {
    const res = await request(app)
      .get('/api/v1/appointments')
      .query({
        startDate: at('00:00'),
        endDate: at('23:59'),
        status: 'scheduled,checked_in,in_progress',
        sortBy: 'startTime',
        sortOrder: 'asc',
      })
      .set(auth(salon.receptionist));
    expect(res.status).toBe(200);
    expect(res.body.items.map((a: { start: string }) => a.start)).toEqual([at('10:00'), at('14:00')]);
    expect(res.body.pagination).toEqual({ page: 1, size: 20, total: 2, totalPages: 1, hasNext: false, hasPrev: false });
    const desc = await request(app)
      .get('/api/v1/appointments')
      .query({ startDate: at('00:00'), endDate: at('23:59'), sortBy: 'startTime', sortOrder: 'desc' })
      .set(auth(salon.receptionist));
    expect(desc.body.items.map((a: { start: string }) => a.start)).toEqual([at('15:00'), at('14:00'), at('10:00')]);
    expect(desc.body.items[0].locationId).toMatchObject({ _id: salon.locationId, label: 'Main' });
  });

  it('shows a groomer only their own appointments, whatever staffId they ask for (S-6)', async () => {
    const other = (await createSalon(config, { groomers: 2 })).groomers[1]!;
    const mine = await request(app)
      .get('/api/v1/appointments')
      .query({ startDate: at('00:00') })
      .set(auth(salon.groomers[0]!));
    expect(mine.body.items).toHaveLength(3);
    const theirs = await request(app)
      .get('/api/v1/appointments')
      .query({ startDate: at('00:00'), staffId: other.id })
      .set(auth(salon.groomers[0]!));
    expect(theirs.status).toBe(200);
    expect(theirs.body.items).toHaveLength(0);
  });
});

describe('status changes (A4, A5, A7)', () => {
  let id: string;
  beforeEach(async () => {
    id = (await book(app, salon.manager, bookingBody(salon, at('10:00')))).body.appointment._id;
    realtime.events.length = 0;
  });

  it('PUT {status} follows the transition table (T-1): forward steps pass, a jump is 400', async () => {
    const put = (status: string) => request(app).put(`/api/v1/appointments/${id}`).set(auth(salon.receptionist)).send({ status });
    expect((await put('completed')).body.error.code).toBe('INVALID_STATUS_TRANSITION');
    for (const s of ['checked_in', 'in_progress', 'completed']) {
      const res = await put(s);
      expect(res.status).toBe(200);
      expect(res.body.appointment.status).toBe(s);
    }
    const stored = await Appointment.findOne({ _id: id, companyId: salon.companyId }).lean();
    expect(stored?.checkedInAt).toBeInstanceOf(Date);
    expect(stored?.completedAt).toBeInstanceOf(Date);
    expect(realtime.events.filter((e) => e.event === 'appointment:updated')).toHaveLength(3);
  });

  it('a groomer can check in their own appointment with PUT {status} but not move it', async () => {
    const groomer = salon.groomers[0]!;
    const ok = await request(app).put(`/api/v1/appointments/${id}`).set(auth(groomer)).send({ status: 'checked_in' });
    expect(ok.status).toBe(200);
    const move = await request(app)
      .put(`/api/v1/appointments/${id}`)
      .set(auth(groomer))
      .send({ start: at('11:00') });
    expect(move.status).toBe(403);
  });

  it('PATCH to canceled emits appointment:canceled (T-4) and a no-show keeps its own audit fields (T-3)', async () => {
    const canceled = await request(app)
      .patch(`/api/v1/appointments/${id}/status`)
      .set(auth(salon.manager))
      .send({ status: 'canceled', reason: 'customer_requested' });
    expect(canceled.status).toBe(200);
    expect(realtime.events.map((e) => e.event)).toEqual(['appointment:canceled']);
    const id2 = (await book(app, salon.manager, bookingBody(salon, at('14:00')))).body.appointment._id;
    await request(app)
      .patch(`/api/v1/appointments/${id2}/status`)
      .set(auth(salon.manager))
      .send({ status: 'no_show', reason: 'customer_forgot' })
      .expect(200);
    const stored = await Appointment.findOne({ _id: id2, companyId: salon.companyId }).lean();
    expect(stored?.audit).toMatchObject({ noShowReason: 'customer_forgot', noShowByUserId: expect.anything() });
    expect(stored?.audit?.canceledByUserId).toBeUndefined();
    expect(stored?.canceledAt).toBeUndefined();
  });

  it('DELETE cancels once; a canceled or completed appointment cannot be canceled again (T-2)', async () => {
    const cancel = () =>
      request(app).delete(`/api/v1/appointments/${id}`).set(auth(salon.manager)).send({ reason: 'other', notes: 'ignored' });
    const first = await cancel();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ message: 'Appointment canceled successfully', appointment: { status: 'canceled' } });
    const again = await cancel();
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('INVALID_STATUS_TRANSITION');
    // The freed slot can be booked again.
    expect((await book(app, salon.manager, bookingBody(salon, at('10:00')))).status).toBe(201);
  });

  it('another company cannot read, change or cancel it (S-1): 404', async () => {
    const other = await createSalon(config);
    expect((await request(app).get(`/api/v1/appointments/${id}`).set(auth(other.manager))).status).toBe(404);
    expect((await request(app).put(`/api/v1/appointments/${id}`).set(auth(other.manager)).send({ status: 'checked_in' })).status).toBe(404);
    expect((await request(app).delete(`/api/v1/appointments/${id}`).set(auth(other.manager)).send({ reason: 'other' })).status).toBe(404);
    expect((await Appointment.findOne({ _id: id, companyId: salon.companyId }).lean())?.status).toBe('scheduled');
  });
});
