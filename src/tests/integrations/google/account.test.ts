/**
 * The connected account (G3–G7) against a fake Google on loopback: calendars, the chosen one,
 * auto-sync and disconnect; Google's failures answered with our own codes (never a 401, never
 * Google's text), and a refreshed access token kept, encrypted (B-21).
 */
import request from 'supertest';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { decryptSecret, isEncrypted } from '../../../utils/secrets';
import { auth, createSalon } from '../../booking/support';
import { useTestDatabase } from '../../helpers/database';
import { startFakeGoogle, type FakeGoogle } from '../../helpers/fakeGoogle';
import { CALENDAR, connect, connectedSalon, googleWorld } from './support';

useTestDatabase();

let fake: FakeGoogle;
beforeAll(async () => {
  fake = await startFakeGoogle();
  fake.addCalendar('primary-id@gmail.test', 'Me', true);
  fake.addCalendar(CALENDAR, 'Grooming team');
});
afterAll(async () => {
  await fake.close();
});

const stored = async (companyId: string) => CompanyIntegration.findOne({ companyId }).lean();

describe('G3 calendars', () => {
  it('when connected, then the account calendars are listed', async () => {
    const world = googleWorld(fake);
    const salon = await createSalon(world.config);
    await connect(world.app, fake, salon.manager);
    const res = await request(world.app).get('/api/v1/google/calendars').set(auth(salon.manager)).expect(200);
    expect(res.body.calendars).toEqual([
      { id: 'primary-id@gmail.test', summary: 'Me', primary: true },
      { id: CALENDAR, summary: 'Grooming team', primary: false },
    ]);
  });

  it('when not connected, then 400 GOOGLE_NOT_CONNECTED', async () => {
    const world = googleWorld(fake);
    const salon = await createSalon(world.config);
    const res = await request(world.app).get('/api/v1/google/calendars').set(auth(salon.manager)).expect(400);
    expect(res.body.error).toEqual({ code: 'GOOGLE_NOT_CONNECTED', message: 'GOOGLE_NOT_CONNECTED' });
  });

  it('when the access token has expired, then it is refreshed once and the new one is stored encrypted (B-21)', async () => {
    const world = googleWorld(fake);
    const salon = await createSalon(world.config);
    await connect(world.app, fake, salon.manager);
    const before = await stored(salon.companyId);
    fake.expireAccessTokens();
    await request(world.app).get('/api/v1/google/calendars').set(auth(salon.manager)).expect(200);
    const after = await stored(salon.companyId);
    expect(after!.googleAccessToken).not.toBe(before!.googleAccessToken);
    expect(isEncrypted(after!.googleAccessToken!)).toBe(true);
    expect(fake.issuedTokens()).toContain(decryptSecret(after!.googleAccessToken!, world.config.dataEncryptionKey));
    // The stored token works: the next call needs no refresh.
    const refreshes = fake.calls('POST', /^\/token$/).length;
    await request(world.app).get('/api/v1/google/calendars').set(auth(salon.manager)).expect(200);
    expect(fake.calls('POST', /^\/token$/).length).toBe(refreshes);
  });

  it('when the user revoked the app at Google, then 400 GOOGLE_NOT_CONNECTED (a 401 would log the manager out)', async () => {
    const world = googleWorld(fake);
    const salon = await createSalon(world.config);
    await connect(world.app, fake, salon.manager);
    fake.revokeAll();
    const res = await request(world.app).get('/api/v1/google/calendars').set(auth(salon.manager)).expect(400);
    expect(res.body.error.code).toBe('GOOGLE_NOT_CONNECTED');
  });

  it.each([
    ['fails (500)', 'error500'],
    ['rate-limits (429)', 'rateLimited'],
    ['does not answer', 'hang'],
  ] as const)('when Google %s, then 502 LIST_FAILED in our words', async (_what, step) => {
    const world = googleWorld(fake);
    const salon = await createSalon(world.config);
    await connect(world.app, fake, salon.manager);
    fake.fail([step], /calendarList/);
    const res = await request(world.app).get('/api/v1/google/calendars').set(auth(salon.manager)).expect(502);
    expect(fake.calls('GET', /calendarList/).at(-1)?.step).toBe(step);
    expect(res.body.error.code).toBe('LIST_FAILED');
    expect(res.text).not.toMatch(/Backend Error|Rate Limit|ya29/);
  });
});

describe('G4 select, G6 settings, G7 auto-sync', () => {
  it('when a calendar of the account is chosen, then the settings show it; an unknown one is refused', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const settings = await request(world.app).get('/api/v1/google/settings').set(auth(salon.manager)).expect(200);
    expect(settings.body.settings).toMatchObject({ calendarId: CALENDAR, calendarName: 'Grooming team', connected: true });
    const res = await request(world.app)
      .post('/api/v1/google/calendar/select')
      .set(auth(salon.manager))
      .send({ calendarId: 'nope@group.calendar.google.com' })
      .expect(400);
    expect(res.body.error.code).toBe('CALENDAR_NOT_FOUND');
    expect((await stored(salon.companyId))!.googleCalendarId).toBe(CALENDAR);
  });

  it('when Google is down while choosing, then the choice is saved without a name (best effort)', async () => {
    const world = googleWorld(fake);
    const salon = await createSalon(world.config);
    await connect(world.app, fake, salon.manager);
    fake.fail(['error500'], /\/calendars\//);
    await request(world.app).post('/api/v1/google/calendar/select').set(auth(salon.manager)).send({ calendarId: CALENDAR }).expect(200);
    expect(await stored(salon.companyId)).toMatchObject({ googleCalendarId: CALENDAR, googleCalendarSummary: '' });
  });

  it('when the bodies are wrong, then 400 VALIDATION_ERROR', async () => {
    const world = googleWorld(fake);
    const salon = await createSalon(world.config);
    for (const body of [{}, { calendarId: '' }, { calendarId: 5 }]) {
      const res = await request(world.app).post('/api/v1/google/calendar/select').set(auth(salon.manager)).send(body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    for (const body of [{}, { autoSync: 'yes' }]) {
      await request(world.app).post('/api/v1/google/settings/auto-sync').set(auth(salon.manager)).send(body).expect(400);
    }
  });

  it('when nothing is stored, then the settings are the defaults; auto-sync can be turned off', async () => {
    const world = googleWorld(fake);
    const salon = await createSalon(world.config);
    const get = () => request(world.app).get('/api/v1/google/settings').set(auth(salon.manager)).expect(200);
    expect((await get()).body).toEqual({
      settings: { autoSync: true, calendarId: '', calendarName: '', accountEmail: '', connected: false, lastSync: null },
    });
    await request(world.app)
      .post('/api/v1/google/settings/auto-sync')
      .set(auth(salon.manager))
      .send({ autoSync: false })
      .expect(200, { success: true });
    expect((await get()).body.settings.autoSync).toBe(false);
    await request(world.app).get('/api/v1/google/settings').set(auth(salon.receptionist)).expect(403);
  });
});

describe('G5 disconnect', () => {
  it('when a manager disconnects, then the tokens are revoked at Google and forgotten here', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    const doc = await stored(salon.companyId);
    const refresh = decryptSecret(doc!.googleRefreshToken!, world.config.dataEncryptionKey);
    await request(world.app).post('/api/v1/google/disconnect').set(auth(salon.manager)).expect(200, { success: true });
    expect(fake.calls('POST', /^\/revoke$/).map((r) => r.query.get('token'))).toContain(refresh);
    const after = await stored(salon.companyId);
    expect(after).not.toHaveProperty('googleRefreshToken');
    expect(after).not.toHaveProperty('googleAccessToken');
    expect(after).not.toHaveProperty('googleCalendarId');
    const settings = await request(world.app).get('/api/v1/google/settings').set(auth(salon.manager)).expect(200);
    expect(settings.body.settings).toMatchObject({ connected: false, calendarId: '', accountEmail: '' });
  });

  it('when Google does not answer the revoke, then the disconnect still completes', async () => {
    const world = googleWorld(fake);
    const salon = await connectedSalon(world, fake);
    fake.fail(['hang', 'hang'], /^\/revoke$/);
    await request(world.app).post('/api/v1/google/disconnect').set(auth(salon.manager)).expect(200);
    expect((await stored(salon.companyId))?.googleRefreshToken).toBeUndefined();
  });
});
