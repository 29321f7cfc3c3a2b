/**
 * Wall-clock rules across the nights the clocks change, in a European and an American zone: the
 * same 09:00 opening is a different UTC instant before and after the change, and a night window
 * that spans the change is an hour shorter (spring) or longer (autumn).
 */
import request from 'supertest';
import { useTestDatabase } from '../../helpers/database';
import { auth, book, bookingApp, bookingBody, createSalon, WEEKDAYS_9_TO_5 } from '../support';

useTestDatabase();

const { app, config } = bookingApp();
const SUNDAY_DAY = { weekday: 0, startTime: '09:00', endTime: '17:00' };
const SUNDAY_NIGHT = { weekday: 0, startTime: '00:00', endTime: '04:00' };

async function slotsOn(salon: Awaited<ReturnType<typeof createSalon>>, date: string): Promise<string[]> {
  const res = await request(app)
    .get('/api/v1/availability')
    .query({ serviceItemId: salon.serviceItemId, locationId: salon.locationId, from: date, to: date })
    .set(auth(salon.receptionist));
  expect(res.status).toBe(200);
  return res.body.items[0].slots.map((s: { start: string }) => s.start);
}

describe.each([
  // zone, the Sunday before the spring change, the change day, UTC hour of 09:00 before and after
  { zone: 'Europe/London', before: '2027-03-21', change: '2027-03-28', openBefore: '09:00', openAfter: '08:00' },
  { zone: 'America/New_York', before: '2027-03-07', change: '2027-03-14', openBefore: '14:00', openAfter: '13:00' },
])('spring forward in $zone', ({ zone, before, change, openBefore, openAfter }) => {
  it('opens at 09:00 local on both Sundays, a different UTC hour; booking follows the same rule', async () => {
    const salon = await createSalon(config, { timezone: zone, schedule: [...WEEKDAYS_9_TO_5, SUNDAY_DAY] });
    expect((await slotsOn(salon, before))[0]).toBe(`${before}T${openBefore}:00.000Z`);
    expect((await slotsOn(salon, change))[0]).toBe(`${change}T${openAfter}:00.000Z`);
    // An hour before local opening on the change day is refused; the first offered slot is booked.
    const opening = Date.parse(`${change}T${openAfter}:00.000Z`);
    const early = await book(app, salon.manager, bookingBody(salon, new Date(opening - 3600_000).toISOString()));
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe('Booking not available: Outside working hours');
    expect((await book(app, salon.manager, bookingBody(salon, `${change}T${openAfter}:00.000Z`))).status).toBe(201);
  });
});

describe('a night window across the change (Europe/London)', () => {
  it('is 3 hours long on the spring night and 5 hours on the autumn night', async () => {
    const salon = await createSalon(config, { timezone: 'Europe/London', schedule: [SUNDAY_NIGHT] });
    // 00:00–04:00 local: a normal night has 13 hourly-service starts every 15 minutes.
    expect(await slotsOn(salon, '2027-03-21')).toHaveLength(13);
    const spring = await slotsOn(salon, '2027-03-28');
    expect(spring).toHaveLength(9);
    expect(spring[spring.length - 1]).toBe('2027-03-28T02:00:00.000Z');
    const autumn = await slotsOn(salon, '2027-10-31');
    expect(autumn[0]).toBe('2027-10-30T23:00:00.000Z');
    expect(autumn).toHaveLength(17);
    // The extra hour exists for booking too: 03:00Z is 03:00 GMT, inside the window, ending at 04:00 local.
    expect((await book(app, salon.manager, bookingBody(salon, '2027-10-31T03:00:00.000Z'))).status).toBe(201);
    expect((await book(app, salon.manager, bookingBody(salon, '2027-03-28T02:30:00.000Z'))).status).toBe(409);
  });
});

describe('fall back in America/New_York', () => {
  it('opens at 09:00 EDT before and 09:00 EST after the change', async () => {
    const salon = await createSalon(config, { timezone: 'America/New_York', schedule: [SUNDAY_DAY] });
    expect((await slotsOn(salon, '2027-10-31'))[0]).toBe('2027-10-31T13:00:00.000Z');
    expect((await slotsOn(salon, '2027-11-07'))[0]).toBe('2027-11-07T14:00:00.000Z');
    const res = await book(app, salon.manager, bookingBody(salon, '2027-11-07T13:00:00.000Z'));
    expect(res.status).toBe(409);
    expect((await book(app, salon.manager, bookingBody(salon, '2027-11-07T14:00:00.000Z'))).status).toBe(201);
  });
});
