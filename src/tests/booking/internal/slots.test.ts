/**
 * GET /slots and POST /availability/check: the free slots come from the engine's full rules
 * (schedules, breaks, time off, other bookings; B-16), so what is offered can be booked and what
 * is not offered cannot; the merged local ranges (§5.11); local dates in the location's zone
 * (B-15/Z-2); the bot's variant choice (§5.9, without the `=== 60` fallback).
 */
import { ServiceItem } from '../../../models/ServiceItem';
import { bookingWorld, createAppointmentDoc, createService, createTimeOff, type BookingWorld } from '../../factories/booking';
import { useTestDatabase } from '../../helpers/database';
import { at, bookingApp, bookingBody, DAY, NOW, s } from './support';

useTestDatabase();
const { api, clock } = bookingApp();
let w: BookingWorld;

beforeEach(async () => {
  clock.set(NOW);
  w = await bookingWorld();
});

type Slots = { items: { staffId: string; fullName: string; slots: { start: string; end: string }[] }[]; time_ranges: unknown[] };
const slots = async (q: Record<string, unknown> = {}) => {
  const res = await api.get('/slots', { companyId: s(w.companyId), serviceItemId: s(w.itemIds[0]), date: DAY, ...q });
  expect(res.status).toBe(200);
  return res.body as Slots & Record<string, unknown>;
};
const startsOf = (body: Slots, staffId: unknown) => body.items.find((i) => i.staffId === s(staffId))!.slots.map((x) => x.start);
const book = (start: string, staffId: unknown = w.staff[0]) => api.post('/appointments', bookingBody(w, { start, staffId: s(staffId) }));

describe('slots agree with booking', () => {
  test('when an offered slot is booked, then 201; the same slot again is 409 and is no longer offered', async () => {
    const before = await slots();
    const first = before.items.find((i) => i.staffId === s(w.staff[0]))!.slots[0]!;
    expect(first).toEqual({ start: new Date(at('09:00')).toISOString(), end: new Date(at('10:00')).toISOString() });
    const booked = await book(first.start);
    expect(booked.status).toBe(201);
    const again = await book(first.start);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ success: false, code: 'BOOKING_CONFLICT', reason: 'Overlapping appointment' });
    const after = await slots();
    expect(startsOf(after, w.staff[0])).not.toContain(first.start);
    expect(startsOf(after, w.staff[1])).toContain(first.start);
  });

  test('when a slot touches the 13:00–14:00 break, then it is not offered and booking it is 409 "Overlaps with break time"', async () => {
    const offered = startsOf(await slots(), w.staff[0]);
    expect(offered).toContain(new Date(at('12:00')).toISOString());
    expect(offered).not.toContain(new Date(at('12:30')).toISOString());
    expect(offered).not.toContain(new Date(at('13:00')).toISOString());
    expect(offered).toContain(new Date(at('14:00')).toISOString());
    const res = await book(at('12:30'));
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      success: false,
      error: 'Booking not available: Overlaps with break time',
      code: 'BOOKING_CONFLICT',
      reason: 'Overlaps with break time',
    });
  });

  test('when a staff member is off all day, then they offer nothing and the check says "Staff time off"', async () => {
    await createTimeOff(w.companyId, w.staff[0]!, new Date(at('00:00')), new Date(at('23:59')));
    const body = await slots();
    expect(startsOf(body, w.staff[0])).toEqual([]);
    expect(startsOf(body, w.staff[1]).length).toBeGreaterThan(0);
    const check = await api.post('/availability/check', {
      companyId: s(w.companyId),
      staffId: s(w.staff[0]),
      start: at('10:00'),
      end: at('11:00'),
    });
    expect(check.status).toBe(200);
    expect(check.body).toEqual({ success: true, available: false, reason: 'Staff time off', timeOffId: expect.any(String) });
  });
});

describe('time_ranges', () => {
  test('when everyone is free, then the ranges run to the end of the last service before the break and before closing', async () => {
    expect((await slots()).time_ranges).toEqual([
      { date: DAY, start: '09:00', end: '13:00' },
      { date: DAY, start: '14:00', end: '17:00' },
    ]);
  });

  test('when one groomer is busy, then the other covers; when both are, then the range splits around it', async () => {
    await createAppointmentDoc(w, w.staff[0]!, new Date(at('10:00')));
    expect((await slots()).time_ranges).toEqual([
      { date: DAY, start: '09:00', end: '13:00' },
      { date: DAY, start: '14:00', end: '17:00' },
    ]);
    await createAppointmentDoc(w, w.staff[1]!, new Date(at('10:00')));
    expect((await slots()).time_ranges).toEqual([
      { date: DAY, start: '09:00', end: '10:00' },
      { date: DAY, start: '11:00', end: '13:00' },
      { date: DAY, start: '14:00', end: '17:00' },
    ]);
  });

  test('when a range of days is asked, then each date has its own ranges', async () => {
    const body = await slots({ date: undefined, from: DAY, to: '2030-06-05' });
    expect(body.time_ranges).toHaveLength(4);
    expect(body).toMatchObject({ from: DAY, to: '2030-06-05', timezone: 'Asia/Tbilisi' });
  });
});

describe('local dates', () => {
  test('when it is 01:30 in Tbilisi but still the previous day in UTC, then "today" is the Tbilisi date', async () => {
    clock.set(new Date('2030-06-03T21:30:00Z'));
    expect(await slots({ date: 'today' })).toMatchObject({ from: '2030-06-04', to: '2030-06-04' });
    expect(await slots({ date: 'tomorrow' })).toMatchObject({ from: '2030-06-05', to: '2030-06-05' });
  });

  test('when the day has already started, then past starts are not offered', async () => {
    clock.set(new Date(at('11:05')));
    const offered = startsOf(await slots({ date: 'today' }), w.staff[0]);
    expect(offered[0]).toBe(new Date(at('11:15')).toISOString());
  });

  test('when more than 31 days are asked, then 400 RANGE_TOO_LONG', async () => {
    const res = await api.get('/slots', { companyId: s(w.companyId), serviceItemId: s(w.itemIds[0]), from: DAY, to: '2030-07-30' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('RANGE_TOO_LONG');
  });

  test('when both date and from, or both serviceId and serviceItemId, are given, then 400 VALIDATION_ERROR', async () => {
    const both = await api.get('/slots', { companyId: s(w.companyId), serviceItemId: s(w.itemIds[0]), date: DAY, from: DAY });
    expect(both.status).toBe(400);
    const two = await api.get('/slots', {
      companyId: s(w.companyId),
      serviceItemId: s(w.itemIds[0]),
      serviceId: s(w.serviceId),
      date: DAY,
    });
    expect(two.status).toBe(400);
  });
});

describe('variant by service and pet size', () => {
  const bySize = (q: Record<string, unknown>) => slots({ serviceItemId: undefined, serviceId: s(w.serviceId), ...q });

  test('when the size is given (in any wording) or read from the pet, then that variant and its duration are used', async () => {
    expect(await bySize({ petSize: 'L' })).toMatchObject({ serviceItemId: s(w.itemIds[2]), durationMinutes: 120 });
    expect(await bySize({ petSize: 'large' })).toMatchObject({ serviceItemId: s(w.itemIds[2]) });
    expect(await bySize({ petId: s(w.petId) })).toMatchObject({ serviceItemId: s(w.itemIds[1]), durationMinutes: 90 });
  });

  test('when no size is given, or none matches, then the cheapest active variant is used', async () => {
    expect(await bySize({})).toMatchObject({ serviceItemId: s(w.itemIds[0]), durationMinutes: 60 });
    await ServiceItem.updateOne({ _id: w.itemIds[0], companyId: w.companyId }, { $set: { active: false } });
    expect(await bySize({ petSize: 'XL' })).toMatchObject({ serviceItemId: s(w.itemIds[1]) });
  });

  test('when the matching variant lasts exactly 60 minutes, then 60 minutes are used (not the longest, B-16)', async () => {
    const svc = await createService(w.companyId, {
      variants: [
        { size: 'S', durationMinutes: 30, price: 20 },
        { size: 'M', durationMinutes: 60, price: 25 },
        { size: 'L', durationMinutes: 180, price: 60 },
      ],
    });
    const body = await slots({ serviceItemId: undefined, serviceId: s(svc.serviceId), petSize: 'M' });
    expect(body).toMatchObject({ serviceItemId: s(svc.itemIds[1]), durationMinutes: 60 });
  });

  test('when the service has no active variant, then 404 SERVICE_ITEM_NOT_FOUND', async () => {
    const svc = await createService(w.companyId, { variants: [{ size: 'S', durationMinutes: 30, price: 20, active: false }] });
    const res = await api.get('/slots', { companyId: s(w.companyId), serviceId: s(svc.serviceId), date: DAY });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('SERVICE_ITEM_NOT_FOUND');
  });
});

describe('POST /availability/check', () => {
  const check = (over: Record<string, unknown>) =>
    api.post('/availability/check', { companyId: s(w.companyId), staffId: s(w.staff[0]), start: at('10:00'), end: at('11:00'), ...over });

  test('when the staff member is free, then available; when booked, the conflicting appointment is named', async () => {
    expect((await check({})).body).toEqual({ success: true, available: true });
    const id = await createAppointmentDoc(w, w.staff[0]!, new Date(at('10:30')));
    expect((await check({})).body).toEqual({
      success: true,
      available: false,
      reason: 'Overlapping appointment',
      conflictingAppointment: s(id),
    });
    expect((await check({ excludeAppointmentId: s(id) })).body).toEqual({ success: true, available: true });
  });

  test.each([
    ['after closing', at('16:30'), at('17:30'), 'Outside working hours'],
    ['over the break', at('12:30'), at('13:30'), 'Overlaps with break time'],
  ])('when the time is %s, then the original reason string', async (_what, start, end, reason) => {
    expect((await check({ start, end })).body).toEqual({ success: true, available: false, reason });
  });
});
