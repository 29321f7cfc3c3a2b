/**
 * I1–I3: POST /api/v1/internal/socket/appointment-{created,updated,canceled}. The contract's
 * auth, validation and response shapes, and (B-3) a real `appointment:*` event to the
 * appointment's own company, with the customer's phone only in the full audience's payload.
 */
import request from 'supertest';
import { bookingWorld, createAppointmentDoc, oid } from '../../factories/booking';
import { useTestDatabase } from '../../helpers/database';
import { at, bookingApp } from './support';

useTestDatabase();
const { app, config, realtime } = bookingApp();
const SOCKET = '/api/v1/internal/socket';
const post = (event: string, body: unknown, key: string | null = config.internalApiKey) => {
  const r = request(app).post(`${SOCKET}/${event}`);
  return (key === null ? r : r.set('x-api-key', key)).send(body as object);
};

beforeEach(() => {
  realtime.events.length = 0;
});

describe.each([
  ['appointment-created', 'appointment:created'],
  ['appointment-updated', 'appointment:updated'],
  ['appointment-canceled', 'appointment:canceled'],
])('%s', (path, event) => {
  test(`when the appointment exists, then 200 names ${event} and the event goes to its company (B-3)`, async () => {
    const w = await bookingWorld();
    const id = await createAppointmentDoc(w, w.staff[0]!, new Date(at('10:00')));
    const res = await post(path, { appointmentId: String(id) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Socket event emitted successfully', eventType: event });
    expect(realtime.events).toHaveLength(1);
    const [recorded] = realtime.events;
    expect(recorded).toMatchObject({ event, companyId: String(w.companyId) });
    type View = { _id: unknown; customerId: object; staffId: object };
    const payload = recorded!.payload as { full: { appointment: View }; limited: { appointment: View } };
    expect(String(payload.full.appointment._id)).toBe(String(id));
    expect(payload.full.appointment.customerId).toMatchObject({ fullName: expect.any(String), phone: expect.any(String) });
    expect(payload.full.appointment.staffId).toMatchObject({ fullName: 'Ana Groomer' });
    expect(payload.limited.appointment.customerId).not.toHaveProperty('phone');
  });

  test('when the appointment does not exist, then 404 APPOINTMENT_NOT_FOUND and nothing is emitted', async () => {
    const id = oid();
    const res = await post(path, { appointmentId: id });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'APPOINTMENT_NOT_FOUND', message: `Appointment ${id} not found` } });
    expect(realtime.events).toEqual([]);
  });
});

test('when two companies have appointments, then each event goes to the company that owns the appointment', async () => {
  const a = await bookingWorld();
  const b = await bookingWorld();
  const inB = await createAppointmentDoc(b, b.staff[1]!, new Date(at('11:00')));
  await createAppointmentDoc(a, a.staff[0]!, new Date(at('11:00')));
  const res = await post('appointment-updated', { appointmentId: String(inB) });
  expect(res.status).toBe(200);
  expect(realtime.events.map((e) => e.companyId)).toEqual([String(b.companyId)]);
});

test('when the key is missing or wrong, then 401 / 403 in the E4 envelope and nothing is emitted', async () => {
  const missing = await post('appointment-created', { appointmentId: oid() }, null);
  expect(missing.status).toBe(401);
  expect(missing.body).toEqual({ success: false, error: 'API key is required', code: 'MISSING_API_KEY' });
  const wrong = await post('appointment-created', { appointmentId: oid() }, 'nope');
  expect(wrong.status).toBe(403);
  expect(wrong.body).toEqual({ success: false, error: 'Invalid API key', code: 'INVALID_API_KEY' });
  expect(realtime.events).toEqual([]);
});

test.each([
  ['missing', {}, 'appointmentId is required'],
  ['empty', { appointmentId: '' }, 'appointmentId is required'],
  ['not an ObjectId', { appointmentId: 'abc' }, 'appointmentId must be a valid MongoDB ObjectId'],
])('when appointmentId is %s, then 400 VALIDATION_ERROR with the original message', async (_what, body, message) => {
  const res = await post('appointment-canceled', body);
  expect(res.status).toBe(400);
  expect(res.body).toEqual({
    error: { code: 'VALIDATION_ERROR', message: 'Validation failed', details: [{ field: 'appointmentId', message }] },
  });
  expect(realtime.events).toEqual([]);
});
