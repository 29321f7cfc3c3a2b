/**
 * Secrets at rest and in logs (decision 5, S-11): after a connect, a refresh, syncs through
 * Google's failures (whose error text looks like a token) and a failed second connect, no token,
 * authorization code or client secret appears in any document of the database or in any log line.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { auth, book, bookingBody, nextWeekday } from '../../booking/support';
import { useTestDatabase } from '../../helpers/database';
import { startFakeGoogle, type FakeGoogle } from '../../helpers/fakeGoogle';
import { captureLogs, type CapturedLogs } from '../../helpers/logs';
import { CALENDAR, callback, connectedSalon, consentState, googleWorld, syncUntilIdle } from './support';

useTestDatabase();

let fake: FakeGoogle;
let logs: CapturedLogs;
beforeAll(async () => {
  fake = await startFakeGoogle();
  fake.addCalendar(CALENDAR, 'Grooming team');
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

async function everyDocument(): Promise<string> {
  const db = mongoose.connection.db!;
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  const dumps = await Promise.all(collections.map(async (c) => JSON.stringify(await db.collection(c.name).find({}).toArray())));
  return dumps.join('\n');
}

it('when Google is connected, used, refreshed and failing, then no secret is stored or logged in plaintext', async () => {
  const world = googleWorld(fake);
  const salon = await connectedSalon(world, fake);
  await request(world.app).get('/api/v1/google/calendars').set(auth(salon.manager)).expect(200);
  fake.expireAccessTokens();
  fake.fail(['error500', 'unauthorized', 'rateLimited'], /\/events/);
  const res = await book(world.app, salon.manager, bookingBody(salon, `${nextWeekday(3)}T10:00:00.000Z`));
  expect(res.status).toBe(201);
  await syncUntilIdle(world);
  expect(fake.events(CALENDAR)).toHaveLength(1);
  // A second connect whose exchange fails: the code travels in the callback URL.
  const code = fake.issueCode();
  fake.fail(['error500'], /^\/token$/);
  await callback(world.app, { code, state: await consentState(world.app, salon.manager) }).expect(302);

  const secrets = [...fake.issuedTokens(), fake.clientSecret, code];
  expect(fake.issuedTokens().length).toBeGreaterThanOrEqual(3);
  const stored = await everyDocument();
  const logged = JSON.stringify(logs.lines);
  expect(logs.lines.some((l) => l.module === 'calendar-sync')).toBe(true);
  for (const secret of secrets) {
    expect(stored).not.toContain(secret);
    expect(logged).not.toContain(secret);
  }
  // Google's own error text is not repeated either.
  expect(logged).not.toContain('ya29.secret-looking-text');
});
