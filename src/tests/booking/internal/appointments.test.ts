/**
 * The bot's appointment writes and its customer list: book (source `social`, the engine's codes),
 * reschedule (the availability check really runs, B-14), cancel (only what the bot may cancel,
 * T-5; the free-text reason never fails for length, B-13), and a customer's appointments (§6.4,
 * with the location's label and address, B-17).
 */
import { Appointment } from '../../../models/Appointment';
import { ResourceType } from '../../../models/ResourceType';
import { ServiceItem } from '../../../models/ServiceItem';
import {
  bookingWorld,
  createAppointmentDoc,
  createCustomer,
  createPet,
  createService,
  createStaffMember,
  createWeeklySchedule,
  type BookingWorld,
} from '../../factories/booking';
import { useTestDatabase } from '../../helpers/database';
import { at, bookingApp, bookingBody, NOW, s } from './support';

useTestDatabase();
const { api, realtime, clock } = bookingApp();
let w: BookingWorld;

beforeEach(async () => {
  clock.set(NOW);
  realtime.events.length = 0;
  w = await bookingWorld();
});

const book = (over: Record<string, unknown> = {}) => api.post('/appointments', bookingBody(w, over));
const stored = (id: unknown) => Appointment.findOne({ _id: id, companyId: w.companyId }).lean();

describe('POST /appointments', () => {
  test('when the slot is free, then 201 with the populated appointment, source social, end from the duration, and one event', async () => {
    const res = await book({ notes: 'Be gentle' });
    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    expect(res.body.appointment).toMatchObject({
      status: 'scheduled',
      source: 'social',
      notes: 'Be gentle',
      start: new Date(at('10:00')).toISOString(),
      end: new Date(at('11:00')).toISOString(),
      staffId: { _id: s(w.staff[0]), fullName: 'Ana Groomer' },
      serviceId: { _id: s(w.serviceId), name: 'Full Groom' },
    });
    expect(realtime.events).toEqual([expect.objectContaining({ event: 'appointment:created', companyId: s(w.companyId) })]);
  });

  test('when an end is given, then it is kept', async () => {
    const res = await book({ start: '2030-06-04T06:00:00Z', end: '2030-06-04T07:15:00Z' });
    expect(res.status).toBe(201);
    expect((await stored(res.body.appointment._id))?.end).toEqual(new Date('2030-06-04T07:15:00Z'));
  });

  test("when the pet is another customer's, then 400 VALIDATION_FAILED with validationErrors", async () => {
    const otherCustomer = await createCustomer(w.companyId);
    const theirPet = await createPet(w.companyId, otherCustomer);
    const res = await book({ petId: s(theirPet) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      code: 'VALIDATION_FAILED',
      validationErrors: ['Pet does not belong to this customer'],
    });
  });

  test('when the start is in the past, then 400 VALIDATION_FAILED', async () => {
    const res = await book({ start: '2030-06-02T10:00:00Z' });
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual(['Appointment start time is in the past']);
  });

  test('when the staff member is limited to other services, then 400 STAFF_NOT_QUALIFIED', async () => {
    const other = await createService(w.companyId);
    const narrow = await createStaffMember(w.companyId, { locationIds: [w.locationId], serviceCategoryIds: [other.serviceId] });
    await createWeeklySchedule(w.companyId, narrow, w.locationId);
    const res = await book({ staffId: s(narrow) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'STAFF_NOT_QUALIFIED', error: 'Staff member is not qualified for this service category' });
  });

  test('when the variant needs a resource the location does not have, then 409 RESOURCE_CONFLICT', async () => {
    const tub = await ResourceType.create({ companyId: w.companyId, name: 'Tub' });
    await ServiceItem.updateOne(
      { _id: w.itemIds[0], companyId: w.companyId },
      { $set: { requiredResources: [{ resourceTypeId: tub._id, quantity: 1, durationMinutes: 30 }] } },
    );
    const res = await book();
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'RESOURCE_CONFLICT', reason: 'No resources of this type available' });
    expect(await Appointment.countDocuments({ companyId: w.companyId })).toBe(0);
  });
});

describe('PUT /appointments/:id', () => {
  test('when moved to a free time, then 200 with the new times and an appointment:updated event', async () => {
    const id = (await book()).body.appointment._id;
    realtime.events.length = 0;
    const res = await api.put(`/appointments/${id}`, { companyId: s(w.companyId), start: at('15:00') });
    expect(res.status).toBe(200);
    expect(res.body.appointment).toMatchObject({ start: new Date(at('15:00')).toISOString(), end: new Date(at('16:00')).toISOString() });
    expect(realtime.events).toEqual([expect.objectContaining({ event: 'appointment:updated', companyId: s(w.companyId) })]);
  });

  test('when moved onto another booking of the staff member, then 409 "Reschedule not available" and it stays (B-14)', async () => {
    const id = (await book()).body.appointment._id;
    await createAppointmentDoc(w, w.staff[0]!, new Date(at('15:00')));
    const res = await api.put(`/appointments/${id}`, { companyId: s(w.companyId), start: at('15:30') });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'BOOKING_CONFLICT', error: 'Reschedule not available: Overlapping appointment' });
    expect((await stored(id))?.start).toEqual(new Date(at('10:00')));
  });

  test("when the appointment is canceled, or another customer's, then it is refused", async () => {
    const canceled = await createAppointmentDoc(w, w.staff[0]!, new Date(at('10:00')), { status: 'canceled' });
    const res = await api.put(`/appointments/${s(canceled)}`, { companyId: s(w.companyId), start: at('15:00') });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('NOT_RESCHEDULABLE');
    const mine = await createAppointmentDoc(w, w.staff[1]!, new Date(at('10:00')));
    const stranger = await createCustomer(w.companyId);
    const theirs = await api.put(`/appointments/${s(mine)}`, { companyId: s(w.companyId), customerId: s(stranger), start: at('15:00') });
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('APPOINTMENT_NOT_FOUND');
  });

  test('when nothing to change is given, then 400 and the notes are kept', async () => {
    const id = (await book({ notes: 'keep me' })).body.appointment._id;
    const res = await api.put(`/appointments/${id}`, { companyId: s(w.companyId) });
    expect(res.status).toBe(400);
    expect((await stored(id))?.notes).toBe('keep me');
  });
});

describe('POST /appointments/:id/cancel', () => {
  test('when a scheduled appointment is canceled, then 200, customer_requested, the reason in the notes, and appointment:canceled', async () => {
    const id = await createAppointmentDoc(w, w.staff[0]!, new Date(at('10:00')));
    const res = await api.post(`/appointments/${s(id)}/cancel`, { companyId: s(w.companyId), reason: 'Dog is sick' });
    expect(res.status).toBe(200);
    expect(res.body.appointment).toMatchObject({ status: 'canceled', notes: 'Cancellation reason: Dog is sick' });
    expect(await stored(id)).toMatchObject({ status: 'canceled', audit: { cancelReason: 'customer_requested' }, canceledAt: NOW });
    expect(realtime.events).toEqual([expect.objectContaining({ event: 'appointment:canceled', companyId: s(w.companyId) })]);
  });

  test('when the reason is very long, then the cancel still succeeds (B-13) and the notes stay within 1000', async () => {
    const id = await createAppointmentDoc(w, w.staff[0]!, new Date(at('10:00')), { status: 'scheduled' });
    await Appointment.updateOne({ _id: id, companyId: w.companyId }, { $set: { notes: 'n'.repeat(900), status: 'checked_in' } });
    const res = await api.post(`/appointments/${s(id)}/cancel`, {
      companyId: s(w.companyId),
      reason: 'r'.repeat(5000),
      cancelReason: 'pet_health_issue',
    });
    expect(res.status).toBe(200);
    const doc = await stored(id);
    expect(doc).toMatchObject({ status: 'canceled', audit: { cancelReason: 'pet_health_issue' } });
    expect(doc!.notes!.length).toBeLessThanOrEqual(1000);
  });

  test.each(['in_progress', 'no_show', 'completed', 'canceled'] as const)(
    'when the appointment is %s, then 400 INVALID_STATUS_TRANSITION and it is unchanged (T-5)',
    async (status) => {
      const id = await createAppointmentDoc(w, w.staff[0]!, new Date(at('10:00')), { status });
      const res = await api.post(`/appointments/${s(id)}/cancel`, { companyId: s(w.companyId) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: `Cannot transition from ${status} to canceled`,
        code: 'INVALID_STATUS_TRANSITION',
      });
      expect((await stored(id))?.status).toBe(status);
      expect(realtime.events).toEqual([]);
    },
  );
});

describe('GET /customers/:customerId/appointments', () => {
  test('when upcoming, past or all is asked, then §6.4 semantics with the location label and address', async () => {
    const past = await createAppointmentDoc(w, w.staff[0]!, new Date('2030-06-01T06:00:00Z'));
    const soon = await createAppointmentDoc(w, w.staff[0]!, new Date(at('10:00')));
    const later = await createAppointmentDoc(w, w.staff[1]!, new Date(at('12:00', '2030-06-06')));
    await createAppointmentDoc(w, w.staff[1]!, new Date(at('15:00')), { status: 'canceled' });
    const list = async (status?: string) => {
      const res = await api.get(`/customers/${s(w.customerId)}/appointments`, { companyId: s(w.companyId), ...(status ? { status } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.count).toBe(res.body.appointments.length);
      return res.body.appointments as { _id: string; locationId: unknown }[];
    };
    const upcoming = await list();
    expect(upcoming.map((a) => a._id)).toEqual([s(soon), s(later)]);
    expect(upcoming[0]!.locationId).toEqual({ _id: s(w.locationId), label: 'Main', address: '1 Main Street' });
    expect((await list('past')).map((a) => a._id)).toEqual([s(past)]);
    expect(await list('all')).toHaveLength(4);
  });
});
