/**
 * `npm run seed`: the demo company through the services, idempotent, tenant-safe, with bookings
 * that respect the schedules; the production guard and the progress reporter.
 */
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { Appointment } from '../../models/Appointment';
import { Company } from '../../models/Company';
import { ACTIVE_APPOINTMENT_STATUSES } from '../../models/constants';
import { Location } from '../../models/Location';
import { StaffSchedule } from '../../models/StaffSchedule';
import { User } from '../../models/User';
import type { Config } from '../../config/env';
import { createProgress, silentProgress, type ProgressStream } from '../../scripts/progress';
import { clockTime, localDate, minutesOf, weekdayOf } from '../../services/booking/time';
import { decideSeedRun, loginInstructions } from '../../seed/cli';
import { DEMO_COMPANY, DEMO_PASSWORD } from '../../seed/data';
import { SEED_STEPS, seedDemo } from '../../seed/demo';
import { manualClock } from '../../utils/clock';
import { authApp, login } from '../accounts/support';
import { bookingWorld, createAppointmentDoc } from '../factories/booking';
import { createContact, createMessage } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

/** A Wednesday: 14:30 in Tbilisi, 13:30 in Istanbul. */
const NOW = new Date('2030-03-13T10:30:00.000Z');

function fakeStream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, columns: 120, write: (s: string) => chunks.push(s) > 0, text: () => chunks.join('') };
}

function seed(stream: ProgressStream = fakeStream(false)) {
  const { config } = authApp();
  return seedDemo({ config, clock: manualClock(NOW), report: createProgress(stream, { label: 'seed' }) });
}

/** Every document of every collection, by collection and id. */
async function wholeDatabase(): Promise<Record<string, unknown[]>> {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const out: Record<string, unknown[]> = {};
  for (const name of names) out[name] = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
  return out;
}

/** The documents of one company, in every collection. */
async function tenantDocuments(companyId: Types.ObjectId): Promise<Record<string, unknown[]>> {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const out: Record<string, unknown[]> = {};
  for (const name of names) {
    const filter = { $or: [{ _id: companyId }, { companyId }, { company_id: companyId }] };
    out[name] = await db.collection(name).find(filter).sort({ _id: 1 }).toArray();
  }
  return out;
}

describe('npm run seed', () => {
  it('when run twice on an empty database, then the second run writes nothing: same documents, ids and counts', async () => {
    const firstOut = fakeStream(false);
    const first = await seed(firstOut);
    const afterFirst = await wholeDatabase();
    const second = await seed();
    const afterSecond = await wholeDatabase();

    expect(second.companyId).toBe(first.companyId);
    expect(afterSecond).toEqual(afterFirst);
    for (const step of SEED_STEPS) expect(second.counts[step]).toMatchObject({ created: 0, total: first.counts[step].total });
    expect(first.counts.company.created).toBe(1);
    expect(first.counts.appointments.created).toBeGreaterThan(40);

    // A non-TTY run prints one plain line per step.
    const lines = firstOut.text().trim().split('\n');
    expect(lines).toHaveLength(SEED_STEPS.length);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^seed: ${SEED_STEPS[i]} (\\d+)/\\1 \\(`)));
  });

  it('when seeded with --force on a production database, then the accounts get a random password, printed once, not the demo one', async () => {
    const { config, app } = authApp();
    const production = { ...config, isProduction: true } as Config;
    const first = await seedDemo({ config: production, clock: manualClock(NOW), report: silentProgress });
    expect(first.password).not.toBe(DEMO_PASSWORD);
    expect(first.password).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect((await login(app, { email: 'manager@petbuddy.com', password: DEMO_PASSWORD })).status).toBe(401);
    expect((await login(app, { email: 'groomer1@petbuddy.com', password: first.password! })).status).toBe(200);
    expect(loginInstructions(production, first).join('\n')).toContain(`with password ${first.password!} as:`);

    const again = await seedDemo({ config: production, clock: manualClock(NOW), report: silentProgress });
    expect(again.password).toBeNull();
    expect(loginInstructions(production, again).join('\n')).toContain('with the password printed when these accounts were created');
    expect((await login(app, { email: 'manager@petbuddy.com', password: first.password! })).status).toBe(200);
  });

  it('when seeded, then the manager logs in through the API and sees the staff, customers, locations and appointments', async () => {
    const result = await seed();
    const { app } = authApp();

    const res = await login(app, { email: 'manager@petbuddy.com', password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ fullName: 'Giorgi Petrov', role: 'manager', companyName: DEMO_COMPANY.name });
    const auth = { Authorization: `Bearer ${res.body.accessToken as string}` };

    const staff = await request(app).get('/api/v1/catalog/staff').set(auth);
    expect(staff.status).toBe(200);
    const names = (staff.body.items as { fullName: string }[]).map((s) => s.fullName);
    expect(names).toEqual(expect.arrayContaining(['Giorgi Petrov', 'Nino Ivanova', 'Mariam Sidamonidze', 'Levan Kapanadze']));

    const customers = await request(app).get('/api/v1/catalog/customers').set(auth);
    expect((customers.body.items as { fullName: string }[]).map((c) => c.fullName)).toEqual(
      expect.arrayContaining(['Ana Garcia', 'David Brown']),
    );
    const pets = await request(app).get('/api/v1/catalog/pets').set(auth);
    expect((pets.body.items as { name: string }[]).map((p) => p.name)).toEqual(expect.arrayContaining(['Buddy', 'Bella']));

    const locations = await request(app).get('/api/v1/locations').set(auth);
    expect((locations.body.items as { label: string; timezone: string }[]).map((l) => [l.label, l.timezone])).toEqual([
      ['Main', 'Asia/Tbilisi'],
      ['Istanbul', 'Europe/Istanbul'],
    ]);

    const range = { startDate: '2030-03-01T00:00:00.000Z', endDate: '2030-03-31T00:00:00.000Z', limit: '500' };
    const appointments = await request(app).get('/api/v1/appointments').query(range).set(auth);
    expect(appointments.status).toBe(200);
    expect(appointments.body.pagination.total).toBe(result.counts.appointments.created);
    const statuses = new Set((appointments.body.items as { status: string }[]).map((a) => a.status));
    expect([...statuses].sort()).toEqual(['canceled', 'completed', 'in_progress', 'no_show', 'scheduled']);

    const inbox = await request(app).post('/api/v1/conversations/list').set(auth).send({});
    expect(inbox.status).toBe(200);
    expect(JSON.stringify(inbox.body)).toContain('Salome Tsereteli');
  });

  it("when a groomer's schedule was changed after seeding, then a later run leaves it as it is", async () => {
    const result = await seed();
    const companyId = new Types.ObjectId(result.companyId);
    const mariam = await User.findOne({ companyId, email: 'groomer1@petbuddy.com' }).lean();
    await StaffSchedule.updateOne({ companyId, userId: mariam!._id, weekday: 1 }, { $set: { endTime: '15:00', breakWindows: [] } });
    const before = await StaffSchedule.find({ companyId }).sort({ _id: 1 }).lean();

    const again = await seed();

    expect(await StaffSchedule.find({ companyId }).sort({ _id: 1 }).lean()).toEqual(before);
    expect(again.counts.schedules).toMatchObject({ created: 0, existing: 3 });
  });

  it('when another company exists (even with the same phone and social ids), then its documents are untouched', async () => {
    const other = await bookingWorld();
    await createAppointmentDoc({ ...other, itemIds: other.itemIds }, other.staff[0]!, new Date('2030-03-14T06:00:00.000Z'));
    const lookalike = await createContact(other.companyId, {
      fullName: 'Not Ana',
      phone: '+995 555 12 34 56',
      instagramId: '17841400000000101',
    });
    await createMessage(other.companyId, lookalike._id, { platform: 'instagram', content: 'hello from another salon' });
    const before = await tenantDocuments(other.companyId);

    await seed();

    expect(await tenantDocuments(other.companyId)).toEqual(before);
    expect(await Company.countDocuments({})).toBe(2);
  });

  it('when seeded, then no groomer has overlapping appointments and each lies in their schedule, outside breaks', async () => {
    const result = await seed();
    const companyId = new Types.ObjectId(result.companyId);
    const [appointments, schedules, locations] = await Promise.all([
      Appointment.find({ companyId, status: { $in: ACTIVE_APPOINTMENT_STATUSES } })
        .sort({ start: 1 })
        .lean(),
      StaffSchedule.find({ companyId }).lean(),
      Location.find({ companyId }).lean(),
    ]);
    expect(appointments.length).toBeGreaterThan(30);
    const zoneOf = new Map(locations.map((l) => [String(l._id), l.timezone!]));
    const lastEnd = new Map<string, number>();
    for (const a of appointments) {
      const staff = String(a.staffId);
      expect(a.start.getTime()).toBeGreaterThanOrEqual(lastEnd.get(staff) ?? 0);
      lastEnd.set(staff, a.end.getTime());

      const zone = zoneOf.get(String(a.locationId))!;
      const weekday = weekdayOf(localDate(a.start.getTime(), zone));
      const entry = schedules.find(
        (s) => String(s.userId) === staff && String(s.locationId) === String(a.locationId) && s.weekday === weekday,
      );
      expect(entry).toBeDefined();
      const [from, to] = [minutesOf(clockTime(a.start.getTime(), zone)), minutesOf(clockTime(a.end.getTime(), zone))];
      expect(from).toBeGreaterThanOrEqual(minutesOf(entry!.startTime));
      expect(to).toBeLessThanOrEqual(minutesOf(entry!.endTime));
      for (const b of entry!.breakWindows) expect(to <= minutesOf(b.start) || from >= minutesOf(b.end)).toBe(true);
    }
  });
});

describe('seed arguments', () => {
  it('when NODE_ENV is production, then it refuses without --force and runs with it', () => {
    expect(decideSeedRun([], { isProduction: true })).toMatchObject({ kind: 'refuse', exitCode: 1 });
    expect(decideSeedRun(['--force'], { isProduction: true })).toEqual({ kind: 'run' });
    expect(decideSeedRun([], { isProduction: false })).toEqual({ kind: 'run' });
  });

  it('when asked for help or given an unknown argument, then it explains instead of seeding', () => {
    expect(decideSeedRun(['--help'], { isProduction: true })).toEqual({ kind: 'help' });
    expect(decideSeedRun(['--wipe'], { isProduction: false })).toMatchObject({ kind: 'refuse', exitCode: 2 });
  });
});

describe('progress reporter', () => {
  it('when the stream is not a terminal, then each step is one plain line', () => {
    const stream = fakeStream(false);
    const progress = createProgress(stream, { label: 'seed' });
    progress.start('staff', 4);
    for (let i = 0; i < 4; i++) progress.tick();
    progress.done('3 created, 1 existing');
    progress.start('pets', 2);
    progress.tick(2);
    progress.done();
    expect(stream.text()).toBe('seed: staff 4/4 (3 created, 1 existing)\nseed: pets 2/2\n');
  });

  it('when the stream is a terminal, then each step draws a bar that ends at its total', () => {
    const stream = fakeStream(true);
    const progress = createProgress(stream, { label: 'seed' });
    progress.start('staff', 4);
    progress.tick(4);
    progress.done('4 created');
    const text = stream.text();
    expect(text).toContain('seed: staff [');
    expect(text).toMatch(/4\/4 \(4 created\)/);
    expect(text).toContain('\u001b['); // cursor and line control of the bar
    expect(text.endsWith('\n')).toBe(true);
  });
});
