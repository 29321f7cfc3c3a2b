/**
 * The internal booking API's gate: the x-api-key on every path (401/403 before anything else),
 * the named company must exist (404 COMPANY_NOT_FOUND), every other id must be that company's
 * (404 with a coded message, never served), and bad input is a 400 in the E4 envelope that
 * writes nothing.
 */
import request from 'supertest';
import { Appointment } from '../../../models/Appointment';
import { BookingHold } from '../../../models/BookingHold';
import { Pet } from '../../../models/Pet';
import { bookingWorld, createAppointmentDoc, oid, type BookingWorld } from '../../factories/booking';
import { useTestDatabase } from '../../helpers/database';
import { at, BASE, bookingApp, bookingBody, DAY, e4, s } from './support';

useTestDatabase();
const { app, api } = bookingApp();
let w: BookingWorld;
let other: BookingWorld;

beforeEach(async () => {
  w = await bookingWorld();
  other = await bookingWorld();
});

const ENDPOINTS: [string, string][] = [
  ['post', '/availability/check'],
  ['get', '/slots'],
  ['post', '/appointments'],
  ['put', `/appointments/${oid()}`],
  ['post', `/appointments/${oid()}/cancel`],
  ['get', `/customers/${oid()}/appointments`],
  ['get', `/customers/${oid()}/pets`],
  ['post', `/customers/${oid()}/pets`],
  ['get', '/staff'],
  ['get', '/locations'],
  ['get', '/services'],
  ['post', '/holds'],
  ['get', '/holds'],
  ['delete', `/holds/${oid()}`],
  ['get', '/no-such-path'],
];

describe('the API key', () => {
  test.each(ENDPOINTS)('when %s %s has no key, then 401 MISSING_API_KEY; with a wrong key, 403 INVALID_API_KEY', async (method, path) => {
    const call = (r: request.Test) => r.send({ companyId: s(w.companyId) });
    const agent = request(app) as unknown as Record<string, (p: string) => request.Test>;
    const missing = await call(agent[method]!(`${BASE}${path}`));
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ success: false, error: 'API key is required', code: 'MISSING_API_KEY' });
    const wrong = await call(agent[method]!(`${BASE}${path}`).set('x-api-key', 'k'.repeat(48)));
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ success: false, error: 'Invalid API key', code: 'INVALID_API_KEY' });
  });

  test('when the key is right but the path is unknown, then 404 NOT_FOUND in the E4 envelope', async () => {
    const res = await api.get('/no-such-path');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(e4('NOT_FOUND'));
  });

  test('when a wrong key books, then nothing is written', async () => {
    await request(app).post(`${BASE}/appointments`).set('x-api-key', 'wrong').send(bookingBody(w));
    expect(await Appointment.countDocuments({ companyId: w.companyId })).toBe(0);
  });
});

describe('the named company', () => {
  test('when companyId names no company, then 404 COMPANY_NOT_FOUND (query and body)', async () => {
    const get = await api.get('/locations', { companyId: oid() });
    expect(get.status).toBe(404);
    expect(get.body).toEqual({ success: false, error: 'Company not found', code: 'COMPANY_NOT_FOUND' });
    const post = await api.post('/appointments', bookingBody(w, { companyId: oid() }));
    expect(post.status).toBe(404);
    expect(post.body.code).toBe('COMPANY_NOT_FOUND');
  });

  test('when companyId is missing, then 400 VALIDATION_ERROR naming it', async () => {
    const res = await api.get('/locations');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(e4('VALIDATION_ERROR', { details: [expect.objectContaining({ field: 'companyId' })] }));
  });
});

describe("another company's ids", () => {
  test.each([
    ['staffId', 'STAFF_NOT_FOUND', 'Staff member not found'],
    ['customerId', 'CUSTOMER_NOT_FOUND', 'Customer not found'],
    ['petId', 'PET_NOT_FOUND', 'Pet not found'],
    ['serviceItemId', 'SERVICE_ITEM_NOT_FOUND', 'Service item not found'],
    ['locationId', 'LOCATION_NOT_FOUND', 'Location not found'],
  ] as const)('when a booking names the other company’s %s, then 404 %s and nothing is written', async (field, code, error) => {
    const theirs = field === 'staffId' ? other.staff[0] : field === 'serviceItemId' ? other.itemIds[0] : other[field];
    const res = await api.post('/appointments', bookingBody(w, { [field]: s(theirs) }));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error, code });
    expect(await Appointment.countDocuments({ companyId: w.companyId })).toBe(0);
  });

  test("when the other company's appointment is moved, canceled or its customer listed, then 404 and it is untouched", async () => {
    const theirs = await createAppointmentDoc(other, other.staff[0]!, new Date(at('10:00')));
    const moved = await api.put(`/appointments/${s(theirs)}`, { companyId: s(w.companyId), start: at('11:00') });
    expect(moved.status).toBe(404);
    expect(moved.body.code).toBe('APPOINTMENT_NOT_FOUND');
    const canceled = await api.post(`/appointments/${s(theirs)}/cancel`, { companyId: s(w.companyId) });
    expect(canceled.status).toBe(404);
    expect(canceled.body.code).toBe('APPOINTMENT_NOT_FOUND');
    const listed = await api.get(`/customers/${s(other.customerId)}/appointments`, { companyId: s(w.companyId) });
    expect(listed.status).toBe(404);
    expect(listed.body.code).toBe('CUSTOMER_NOT_FOUND');
    const stored = await Appointment.findOne({ _id: theirs, companyId: other.companyId }).lean();
    expect(stored).toMatchObject({ status: 'scheduled', start: new Date(at('10:00')) });
  });

  test("when the other company's pets, staff availability or hold are named, then 404", async () => {
    const pets = await api.get(`/customers/${s(other.customerId)}/pets`, { companyId: s(w.companyId) });
    expect(pets.status).toBe(404);
    const addPet = await api.post(`/customers/${s(other.customerId)}/pets`, { companyId: s(w.companyId), name: 'Sneaky', species: 'dog' });
    expect(addPet.status).toBe(404);
    expect(await Pet.countDocuments({ companyId: w.companyId, name: 'Sneaky' })).toBe(0);
    const check = await api.post('/availability/check', {
      companyId: s(w.companyId),
      staffId: s(other.staff[0]),
      start: at('10:00'),
      end: at('11:00'),
    });
    expect(check.status).toBe(404);
    expect(check.body.code).toBe('STAFF_NOT_FOUND');
    const hold = await BookingHold.create({
      companyId: other.companyId,
      locationId: other.locationId,
      customerId: other.customerId,
      tentative: [{ staffId: other.staff[0], start: new Date(at('10:00')), end: new Date(at('11:00')) }],
      expiresAt: new Date('2030-06-03T05:00:00Z'),
    });
    const released = await api.delete(`/holds/${s(hold._id)}`, { companyId: s(w.companyId) });
    expect(released.status).toBe(404);
    expect(released.body.code).toBe('HOLD_NOT_FOUND');
    expect(await BookingHold.countDocuments({ companyId: other.companyId })).toBe(1);
  });
});

describe('bad input', () => {
  test.each([
    ['an id that is not 24-hex', 'staffId', { staffId: 'abc' }],
    ['a start without an offset (ambiguous zone)', 'start', { start: `${DAY}T10:00:00` }],
    ['an unparsable start', 'start', { start: 'next tuesday' }],
    ['an impossible date', 'start', { start: '2030-02-30T10:00:00Z' }],
    ['an end before the start', 'end', { end: at('09:00') }],
    ['notes over 1000 characters', 'notes', { notes: 'x'.repeat(1001) }],
    ['an unknown key', 'body', { status: 'completed' }],
    ['a missing petId', 'petId', { petId: undefined }],
  ])('when a booking has %s, then 400 VALIDATION_ERROR (E4) naming %s and nothing is written', async (_what, field, over) => {
    const res = await api.post('/appointments', bookingBody(w, over));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(e4('VALIDATION_ERROR', { details: expect.arrayContaining([expect.objectContaining({ field })]) }));
    expect(await Appointment.countDocuments({ companyId: w.companyId })).toBe(0);
  });

  test.each([
    ['an unknown cancelReason', 'cancelReason', `/appointments/${oid()}/cancel`, { cancelReason: 'bored' }],
    ['a ttlSeconds below 10', 'ttlSeconds', '/holds', { ttlSeconds: 5 }],
    ['a ttlSeconds above 900', 'ttlSeconds', '/holds', { ttlSeconds: 901 }],
  ])('when a request has %s, then 400 VALIDATION_ERROR naming %s', async (_what, field, path, over) => {
    const res = await api.post(path, { companyId: s(w.companyId), ...over });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  test('when a query has an unknown status or a bad date, then 400 VALIDATION_ERROR', async () => {
    const status = await api.get(`/customers/${s(w.customerId)}/appointments`, { companyId: s(w.companyId), status: 'soon' });
    expect(status.status).toBe(400);
    expect(status.body.details).toEqual([expect.objectContaining({ field: 'status' })]);
    const date = await api.get('/slots', { companyId: s(w.companyId), serviceId: s(w.serviceId), date: '04/06/2030' });
    expect(date.status).toBe(400);
    expect(date.body.details).toEqual([expect.objectContaining({ field: 'date' })]);
  });
});
