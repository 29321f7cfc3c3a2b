/**
 * Holds for the bot: a hold (createdBy `assistant`, its own TTL) keeps other customers off the
 * slot, its customer books it with `holdId` (which uses up the hold), and it can be listed and
 * released.
 */
import { BookingHold } from '../../../models/BookingHold';
import { bookingWorld, createCustomer, createPet, type BookingWorld } from '../../factories/booking';
import { useTestDatabase } from '../../helpers/database';
import { at, bookingApp, bookingBody, NOW, s } from './support';

useTestDatabase();
const { api, clock } = bookingApp();
let w: BookingWorld;

beforeEach(async () => {
  clock.set(NOW);
  w = await bookingWorld();
});

const hold = (over: Record<string, unknown> = {}) =>
  api.post('/holds', {
    companyId: s(w.companyId),
    customerId: s(w.customerId),
    serviceItemId: s(w.itemIds[0]),
    staffId: s(w.staff[0]),
    locationId: s(w.locationId),
    start: at('10:00'),
    ...over,
  });
const book = (customerId: unknown, petId: unknown) =>
  api.post('/appointments', bookingBody(w, { customerId: s(customerId), petId: s(petId) }));
const bookWithHold = (holdId: string) => api.post('/appointments', bookingBody(w, { holdId }));

test('when a hold is placed, then 201 with createdBy assistant and expiry now + ttlSeconds', async () => {
  const res = await hold({ ttlSeconds: 120, petId: s(w.petId) });
  expect(res.status).toBe(201);
  expect(res.body.hold).toMatchObject({
    createdBy: 'assistant',
    customerId: s(w.customerId),
    expiresAt: new Date(NOW.getTime() + 120_000).toISOString(),
    tentative: [
      expect.objectContaining({
        staffId: s(w.staff[0]),
        start: new Date(at('10:00')).toISOString(),
        end: new Date(at('11:00')).toISOString(),
      }),
    ],
  });
});

test("when another customer asks for the held slot, then 409 and the hold's customer books it, using the hold up", async () => {
  const held = (await hold()).body.hold;
  const stranger = await createCustomer(w.companyId);
  const theirPet = await createPet(w.companyId, stranger);
  const blocked = await book(stranger, theirPet);
  expect(blocked.status).toBe(409);
  expect(blocked.body).toMatchObject({ code: 'BOOKING_CONFLICT', reason: 'Slot is held by another customer' });
  const secondHold = await hold({ customerId: s(stranger) });
  expect(secondHold.status).toBe(409);
  const booked = await bookWithHold(held._id);
  expect(booked.status).toBe(201);
  expect(await BookingHold.countDocuments({ companyId: w.companyId })).toBe(0);
});

test('when a hold has expired, then it no longer blocks anyone', async () => {
  await hold({ ttlSeconds: 10 });
  clock.advance(11_000);
  const stranger = await createCustomer(w.companyId);
  const res = await book(stranger, await createPet(w.companyId, stranger));
  expect(res.status).toBe(201);
});

test('when holds are listed and released, then the list follows and a second release is 404 HOLD_NOT_FOUND', async () => {
  const mine = (await hold()).body.hold;
  const stranger = await createCustomer(w.companyId);
  await hold({ customerId: s(stranger), staffId: s(w.staff[1]) });
  const all = await api.get('/holds', { companyId: s(w.companyId) });
  expect(all.status).toBe(200);
  expect(all.body.count).toBe(2);
  const own = await api.get('/holds', { companyId: s(w.companyId), customerId: s(w.customerId) });
  expect(own.body.holds.map((h: { _id: string }) => h._id)).toEqual([mine._id]);
  const released = await api.delete(`/holds/${mine._id}`, { companyId: s(w.companyId) });
  expect(released.status).toBe(200);
  expect(released.body).toMatchObject({ success: true, hold: { _id: mine._id } });
  const again = await api.delete(`/holds/${mine._id}`, { companyId: s(w.companyId) });
  expect(again.status).toBe(404);
  expect(again.body).toEqual({ success: false, error: 'Hold not found', code: 'HOLD_NOT_FOUND' });
});

test('when the slot is outside working hours, then the hold is refused with the reason', async () => {
  const res = await hold({ start: at('17:30') });
  expect(res.status).toBe(409);
  expect(res.body).toMatchObject({ code: 'BOOKING_CONFLICT', reason: 'Outside working hours' });
});
