/**
 * The sync of the real process (server.ts main(), run as a child with file logs): an appointment
 * booked while Google fails is still synced after the process is killed (SIGKILL) and another one
 * starts, with one event at the right times; and no token is written to the files under logs/.
 * The children write to a database of this suite's own, dropped afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose from 'mongoose';
import request from 'supertest';
import { Appointment } from '../../../models/Appointment';
import { bookingBody, createSalon, nextWeekday, type Salon } from '../../booking/support';
import { testConfig } from '../../helpers/config';
import { startFakeGoogle, type FakeGoogle } from '../../helpers/fakeGoogle';
import { testServerUri, uniqueDbName, uriWithDb } from '../../helpers/mongo';
import { killAllChildren, runTs, within, type Child } from '../../helpers/process';
import { CALENDAR, googleEnv } from './support';

const SECRETS = {
  JWT_ACCESS_SECRET: 'google-restart-access-secret-0123456789abcdef',
  JWT_REFRESH_SECRET: 'google-restart-refresh-secret-0123456789abcdef',
  INTERNAL_SERVICE_API_KEY: 'google-restart-internal-api-key-0123456789ab',
  DATA_ENCRYPTION_KEY: 'google-restart-data-encryption-key-012345678',
};
const LISTENING = /PetBuddy API listening on (http:\/\/127\.0\.0\.1:\d+)/;

const dbName = uniqueDbName('google_restart');
const mongoUri = uriWithDb(testServerUri(), dbName);
let fake: FakeGoogle;
let dir: string;

beforeAll(async () => {
  fake = await startFakeGoogle();
  fake.addCalendar(CALENDAR, 'Grooming team');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-google-restart-'));
  await mongoose.connect(mongoUri, { serverSelectionTimeoutMS: 5000 });
  await mongoose.connection.db!.dropDatabase();
});

afterAll(async () => {
  killAllChildren();
  await fake.close();
  await mongoose.connection.db?.dropDatabase();
  await mongoose.disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

function startProcess(): Child {
  const env = googleEnv(fake, {
    GOOGLE_SYNC_POLL_MS: '50',
    GOOGLE_SYNC_RETRY_BASE_MS: '1000',
    GOOGLE_SYNC_RETRY_MAX_DELAY_MS: '1000',
    GOOGLE_SYNC_MAX_ATTEMPTS: '100000',
  });
  // development: the logger writes logs/combined.log and logs/error.log.
  return runTs('server.ts', {
    NODE_ENV: 'development',
    ...SECRETS,
    ...env,
    MONGODB_URI: mongoUri,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_DIR: path.join(dir, 'logs'),
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('when the process is killed while Google fails, then the next process syncs the appointment once; logs hold no token', async () => {
  const config = testConfig(SECRETS);
  const salon: Salon = await createSalon(config);
  const first = startProcess();
  const url = (await first.waitFor(LISTENING))[1]!;
  const api = request(url);
  const bearer = { Authorization: `Bearer ${salon.manager.token}` };

  const consent = await api.get('/api/v1/google/auth/url').set(bearer).expect(200);
  const state = new URL(consent.body.url).searchParams.get('state')!;
  await api.get('/api/v1/google/oauth/callback').query({ code: fake.issueCode(), state }).expect(302);
  await api.post('/api/v1/google/calendar/select').set(bearer).send({ calendarId: CALENDAR }).expect(200);

  fake.fail(Array(1000).fill('error500'), /\/events/);
  const start = `${nextWeekday(4)}T10:00:00.000Z`;
  const booked = await api.post('/api/v1/appointments').set(bearer).send(bookingBody(salon, start)).expect(201);
  const id = booked.body.appointment._id as string;
  // Killed between two attempts (a failure recorded, the lease released, the next one a backoff away).
  await until('a failed attempt recorded', async () => {
    const a = await Appointment.findOne({ _id: id, companyId: salon.companyId }).select('+googleSync').lean();
    return a?.googleSync?.lastError && !a.googleSync.lockOwner;
  });
  first.proc.kill('SIGKILL');
  await within(first.exited, 5000, 'first process exit');
  fake.recover();

  const second = startProcess();
  await second.waitFor(LISTENING);
  const events = await until('the event in Google', async () => fake.events(CALENDAR).length > 0 && fake.events(CALENDAR));
  expect(events).toEqual([expect.objectContaining({ start: { dateTime: start }, end: { dateTime: `${nextWeekday(4)}T11:00:00.000Z` } })]);
  await until('the sync recorded', async () => {
    const a = await Appointment.findOne({ _id: id, companyId: salon.companyId }).select('+googleSync').lean();
    return a?.googleSync?.pending === false && a.googleCalendarEventId === events[0]!.id;
  });
  second.proc.kill('SIGTERM');
  await within(second.exited, 10_000, 'second process exit');

  const logDir = path.join(dir, 'logs');
  const written = fs
    .readdirSync(logDir)
    .map((f) => fs.readFileSync(path.join(logDir, f), 'utf8'))
    .join('\n');
  // The second process stopped gracefully, so its lines are flushed (a SIGKILL may lose the last ones).
  expect(written).toContain('calendar event synced');
  for (const secret of [...fake.issuedTokens(), fake.clientSecret]) {
    expect(written).not.toContain(secret);
    expect(first.output() + second.output()).not.toContain(secret);
  }
}, 60_000);
