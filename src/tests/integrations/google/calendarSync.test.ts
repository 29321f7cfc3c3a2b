/**
 * Appointment → Google Calendar sync against a fake Google on loopback: booking, rescheduling and
 * canceling through the API put exactly one event, at the right times, in the chosen calendar,
 * also when Google fails and recovers, loses an answer, or had the event deleted (B-19).
 */
import request from 'supertest';
import { Appointment } from '../../../models/Appointment';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { auth, book, bookingBody, nextWeekday, type Salon } from '../../booking/support';
import { useTestDatabase } from '../../helpers/database';
import { startFakeGoogle, type FakeGoogle, type GoogleStep } from '../../helpers/fakeGoogle';
import { CALENDAR, connectedSalon, googleWorld, syncUntilIdle, type GoogleWorld } from './support';

useTestDatabase();

let fake: FakeGoogle;
beforeAll(async () => {
  fake = await startFakeGoogle();
  fake.addCalendar(CALENDAR, 'Grooming team');
});
afterAll(async () => {
  await fake.close();
});

const DAY = nextWeekday(2);
const at = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`;

async function bookAt(world: GoogleWorld, salon: Salon, hhmm: string): Promise<string> {
  const res = await book(world.app, salon.manager, bookingBody(salon, at(hhmm), { notes: 'Sensitive ears' }));
  expect(res.status).toBe(201);
  return res.body.appointment._id as string;
}
const move = (world: GoogleWorld, salon: Salon, id: string, body: Record<string, unknown>) =>
  request(world.app).put(`/api/v1/appointments/${id}`).set(auth(salon.manager)).send(body).expect(200);
const cancel = (world: GoogleWorld, salon: Salon, id: string) =>
  request(world.app).delete(`/api/v1/appointments/${id}`).set(auth(salon.manager)).send({ reason: 'customer_requested' }).expect(200);
const stored = (salon: Salon, id: string) => Appointment.findOne({ _id: id, companyId: salon.companyId }).select('+googleSync').lean();
/** The live events of this appointment in the fake calendar. */
const eventsOf = (id: string) => fake.events(CALENDAR).filter((e) => e.id.includes(id));

describe('create, update, cancel', () => {
  it('when an appointment is booked, moved and canceled, then its one event follows, with the right times', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const id = await bookAt(world, salon, '10:00');
    await syncUntilIdle(world);
    const [created] = eventsOf(id);
    expect(eventsOf(id)).toHaveLength(1);
    expect(created).toMatchObject({
      summary: expect.stringMatching(/^Full Groom - Rex \(Customer \d+\)$/),
      start: { dateTime: at('10:00') },
      end: { dateTime: at('11:00') },
    });
    expect(created!.description).toBe('Sensitive ears\nPhone: +15550000000');
    expect((await stored(salon, id))!.googleCalendarEventId).toBe(created!.id);

    await move(world, salon, id, { start: at('14:00') });
    await syncUntilIdle(world);
    expect(eventsOf(id)).toEqual([
      expect.objectContaining({ id: created!.id, start: { dateTime: at('14:00') }, end: { dateTime: at('15:00') } }),
    ]);

    await cancel(world, salon, id);
    await syncUntilIdle(world);
    expect(eventsOf(id)).toEqual([]);
    const after = await stored(salon, id);
    expect(after!.googleCalendarEventId).toBeUndefined();
    expect(after!.googleSync).toMatchObject({ pending: false });
    const integration = await CompanyIntegration.findOne({ companyId: salon.companyId }).lean();
    expect(integration!.lastGoogleSyncAt).toBeInstanceOf(Date);
  });

  it.each([
    ['fails (500) twice', ['error500', 'error500']],
    ['rate-limits (429)', ['rateLimited']],
    ['does not answer', ['hang', 'hang']],
  ] as [string, GoogleStep[]][])('when Google %s and then recovers, then one event with the right times', async (_what, steps) => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    fake.fail(steps, /\/events/);
    const id = await bookAt(world, salon, '10:00');
    await world.sync.drain();
    const waiting = await stored(salon, id);
    expect(waiting!.googleSync).toMatchObject({ pending: true });
    expect(waiting!.googleSync!.lastError).toMatch(/^Google/);
    expect(waiting!.googleSync!.nextAttemptAt!.getTime()).toBeGreaterThan(world.clock.now().getTime());

    fake.fail(steps, /\/events/);
    await move(world, salon, id, { start: at('15:00') });
    await syncUntilIdle(world);
    expect(eventsOf(id)).toEqual([expect.objectContaining({ start: { dateTime: at('15:00') }, end: { dateTime: at('16:00') } })]);
    expect((await stored(salon, id))!.googleSync!.lastError).toBeUndefined();
  });

  it('when Google refuses the access token (401), then the client refreshes it once, places the event and keeps the new token', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const before = await CompanyIntegration.findOne({ companyId: salon.companyId }).lean();
    fake.fail(['unauthorized'], /\/events/);
    const id = await bookAt(world, salon, '10:00');
    expect(await world.sync.drain()).toBe(1);
    expect(eventsOf(id)).toHaveLength(1);
    const after = await CompanyIntegration.findOne({ companyId: salon.companyId }).lean();
    expect(after!.googleAccessToken).not.toBe(before!.googleAccessToken);
  });

  it('when the access token expired, then the sync refreshes it and stores the new one (B-21)', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const before = await CompanyIntegration.findOne({ companyId: salon.companyId }).lean();
    fake.expireAccessTokens();
    const id = await bookAt(world, salon, '10:00');
    await syncUntilIdle(world);
    expect(eventsOf(id)).toHaveLength(1);
    const after = await CompanyIntegration.findOne({ companyId: salon.companyId }).lean();
    expect(after!.googleAccessToken).not.toBe(before!.googleAccessToken);
    const refreshes = fake.calls('POST', /^\/token$/).length;
    await move(world, salon, id, { start: at('14:00') });
    await syncUntilIdle(world);
    expect(fake.calls('POST', /^\/token$/).length).toBe(refreshes);
  });

  it('when the answer to an insert is lost, then the retry finds the event instead of creating a second one (R-8)', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    fake.fail(['lost'], /\/events$/);
    const id = await bookAt(world, salon, '10:00');
    await syncUntilIdle(world);
    expect(fake.calls('POST', /\/events$/).filter((r) => String(r.body.id).includes(id))).toHaveLength(2);
    expect(eventsOf(id)).toHaveLength(1);
    expect((await stored(salon, id))!.googleCalendarEventId).toBe(eventsOf(id)[0]!.id);
  });

  it('when the event was deleted in Google Calendar, then the next change re-creates it (B-19)', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const id = await bookAt(world, salon, '10:00');
    await syncUntilIdle(world);
    fake.deleteOnGoogle(CALENDAR, eventsOf(id)[0]!.id);
    await move(world, salon, id, { start: at('09:00') });
    await syncUntilIdle(world);
    expect(eventsOf(id)).toEqual([expect.objectContaining({ start: { dateTime: at('09:00') } })]);
    expect((await stored(salon, id))!.googleCalendarEventId).toBe(eventsOf(id)[0]!.id);
  });

  it('when an appointment whose event is already gone is canceled, then the cancel syncs without error', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const id = await bookAt(world, salon, '10:00');
    await syncUntilIdle(world);
    fake.deleteOnGoogle(CALENDAR, eventsOf(id)[0]!.id);
    await cancel(world, salon, id);
    await syncUntilIdle(world);
    const after = await stored(salon, id);
    expect(after!.googleSync).toMatchObject({ pending: false });
    expect(after!.googleSync!.failedAt).toBeUndefined();
    expect(after!.googleCalendarEventId).toBeUndefined();
  });
});

describe('one event per appointment', () => {
  it('when an appointment changes many times while two workers sync at once, then one event with the last times', async () => {
    const world = googleWorld(fake);
    const other = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const ids = [await bookAt(world, salon, '09:00'), await bookAt(world, salon, '13:00')];
    const workers = [world.sync, other.sync];
    for (const [i, start] of ['09:30', '10:00', '10:30'].entries()) {
      // Change and sync at the same time, both workers racing.
      await Promise.all([move(world, salon, ids[0]!, { start: at(start) }), ...workers.map((w) => w.drain())]);
      await Promise.all([
        request(world.app)
          .put(`/api/v1/appointments/${ids[1]}`)
          .set(auth(salon.manager))
          .send({ notes: `edit ${i}` }),
        ...workers.map((w) => w.drain()),
      ]);
    }
    await syncUntilIdle(world);
    expect(eventsOf(ids[0]!)).toEqual([expect.objectContaining({ start: { dateTime: at('10:30') } })]);
    expect(eventsOf(ids[1]!)).toEqual([expect.objectContaining({ description: 'edit 2\nPhone: +15550000000' })]);
  });

  it('when a worker died holding an appointment, then no other touches it until its lease ends, then one does', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const id = await bookAt(world, salon, '10:00');
    const lockedUntil = new Date(world.clock.now().getTime() + world.sync.leaseMs);
    await Appointment.updateOne(
      { _id: id, companyId: salon.companyId },
      { $set: { 'googleSync.lockedUntil': lockedUntil, 'googleSync.lockOwner': 'dead' } },
    );
    expect(await world.sync.drain()).toBe(0);
    expect(eventsOf(id)).toHaveLength(0);
    world.clock.advance(world.sync.leaseMs + 1);
    expect(await world.sync.drain()).toBe(1);
    expect(eventsOf(id)).toHaveLength(1);
  });
});

describe('when there is nothing to send', () => {
  it('when auto-sync is off, then changes are not marked and Google hears nothing', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    await request(world.app).post('/api/v1/google/settings/auto-sync').set(auth(salon.manager)).send({ autoSync: false }).expect(200);
    const before = fake.requests.length;
    const id = await bookAt(world, salon, '10:00');
    expect(await world.sync.drain()).toBe(0);
    expect((await stored(salon, id))!.googleSync).toBeUndefined();
    expect(fake.requests.length).toBe(before);
  });

  it('when Google is disconnected after a change, then the pending sync is dropped without a call', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const id = await bookAt(world, salon, '10:00');
    await request(world.app).post('/api/v1/google/disconnect').set(auth(salon.manager)).expect(200);
    const before = fake.requests.length;
    await syncUntilIdle(world);
    expect(fake.requests.length).toBe(before);
    expect((await stored(salon, id))!.googleSync).toMatchObject({ pending: false });
  });
});

describe('giving up', () => {
  it('when Google keeps failing, then the sync gives up after the attempts allowed, records why, and a later change starts again', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    fake.fail(Array<GoogleStep>(5).fill('error500'), /\/events/);
    const id = await bookAt(world, salon, '10:00');
    await syncUntilIdle(world);
    const failed = await stored(salon, id);
    expect(failed!.googleSync).toMatchObject({ pending: false, lastError: 'Gave up after 5 attempts: Google answered 500' });
    expect(failed!.googleSync!.failedAt).toBeInstanceOf(Date);
    expect(eventsOf(id)).toHaveLength(0);

    await move(world, salon, id, { start: at('11:00') });
    await syncUntilIdle(world);
    expect(eventsOf(id)).toEqual([expect.objectContaining({ start: { dateTime: at('11:00') } })]);
  });

  it('when Google refuses the request itself (400), then it is not retried', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    fake.fail(['badRequest'], /\/events/);
    const id = await bookAt(world, salon, '10:00');
    await syncUntilIdle(world);
    expect(fake.calls('POST', /\/events$/).filter((r) => String(r.body.id).includes(id))).toHaveLength(1);
    expect((await stored(salon, id))!.googleSync).toMatchObject({ pending: false, lastError: 'Google answered 400' });
  });
});
