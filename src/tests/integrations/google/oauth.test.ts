/**
 * Connecting Google Calendar (G1, G2) against a fake Google on loopback: the consent URL, a signed,
 * expiring, single-use state bound to the company and the manager (S-9), tokens stored encrypted,
 * and every bad callback refused or sent back to the dashboard with nothing written.
 */
import request from 'supertest';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { User } from '../../../models/User';
import { isEncrypted } from '../../../utils/secrets';
import { auth, bookingApp, createSalon } from '../../booking/support';
import { useTestDatabase } from '../../helpers/database';
import { startFakeGoogle, type FakeGoogle } from '../../helpers/fakeGoogle';
import { callback, consentState, googleWorld } from './support';

useTestDatabase();

let fake: FakeGoogle;
beforeAll(async () => {
  fake = await startFakeGoogle();
});
afterAll(async () => {
  await fake.close();
});

const DASHBOARD = 'http://dashboard.test/settings/company';
const stored = async (companyId: string) => CompanyIntegration.findOne({ companyId }).lean();

describe('G1 consent URL', () => {
  it('when a manager asks, then the URL asks Google for offline calendar access with a signed state', async () => {
    const { app, config } = googleWorld(fake);
    const salon = await createSalon(config);
    const res = await request(app).get('/api/v1/google/auth/url').set(auth(salon.manager)).expect(200);
    const url = new URL(res.body.url);
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('client_id')).toBe(fake.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(config.google.redirectUri);
    expect(url.searchParams.get('scope')).toContain('https://www.googleapis.com/auth/calendar.events');
    // Not the original's readable base64 {companyId}: a payload and a signature.
    expect(url.searchParams.get('state')).toMatch(/^[\w-]+\.[\w-]+$/);
  });

  it('when a receptionist asks, then 403; when Google is not configured, then a clear 400', async () => {
    const { app, config } = googleWorld(fake);
    const salon = await createSalon(config);
    await request(app).get('/api/v1/google/auth/url').set(auth(salon.receptionist)).expect(403);
    const bare = bookingApp();
    const other = await createSalon(bare.config);
    const res = await request(bare.app).get('/api/v1/google/auth/url').set(auth(other.manager)).expect(400);
    expect(res.body.error.code).toBe('GOOGLE_NOT_CONFIGURED');
  });
});

describe('G2 callback', () => {
  it('when Google redirects back with a code, then the tokens are stored encrypted and the dashboard hears "connected"', async () => {
    const { app, config } = googleWorld(fake);
    const salon = await createSalon(config);
    const state = await consentState(app, salon.manager);
    const res = await callback(app, { code: fake.issueCode({ email: 'salon@gmail.test' }), state }).expect(302);
    expect(res.headers.location).toBe(`${DASHBOARD}?google=connected`);
    const doc = await stored(salon.companyId);
    expect(isEncrypted(doc!.googleAccessToken!)).toBe(true);
    expect(isEncrypted(doc!.googleRefreshToken!)).toBe(true);
    for (const t of fake.issuedTokens()) expect(JSON.stringify(doc)).not.toContain(t);
    expect(doc!.googleAccountEmail).toBe('salon@gmail.test');
    const settings = await request(app).get('/api/v1/google/settings').set(auth(salon.manager)).expect(200);
    expect(settings.body.settings).toMatchObject({ connected: true, accountEmail: 'salon@gmail.test', autoSync: true, calendarId: '' });
  });

  it('when the state is forged, tampered with or missing, then 400 and no Google call or write', async () => {
    const { app, config } = googleWorld(fake);
    const victim = await createSalon(config);
    const attacker = await createSalon(config);
    const code = fake.issueCode();
    const unsigned = Buffer.from(JSON.stringify({ companyId: victim.companyId })).toString('base64');
    const real = await consentState(app, attacker.manager);
    const [payload, signature] = real.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const retargeted = `${Buffer.from(JSON.stringify({ ...claims, c: victim.companyId })).toString('base64url')}.${signature}`;
    const before = fake.requests.length;
    for (const state of [unsigned, retargeted, `${payload}.AAAA`, 'garbage']) {
      const res = await callback(app, { code, state }).expect(400);
      expect(res.body.error).toEqual({ code: 'INVALID_STATE', message: 'Invalid or corrupted state parameter' });
    }
    expect((await callback(app, { code }).expect(400)).body.error.code).toBe('MISSING_COMPANY');
    expect((await callback(app, { state: real }).expect(400)).body.error.code).toBe('MISSING_CODE');
    expect(fake.requests.length).toBe(before);
    expect((await stored(victim.companyId))?.googleRefreshToken).toBeUndefined();
  });

  it('when a state is used twice or after 10 minutes, then it is refused', async () => {
    const { app, config, clock } = googleWorld(fake);
    const salon = await createSalon(config);
    const state = await consentState(app, salon.manager);
    await callback(app, { code: fake.issueCode(), state }).expect(302);
    expect((await callback(app, { code: fake.issueCode(), state }).expect(400)).body.error.code).toBe('INVALID_STATE');

    const late = await consentState(app, salon.manager);
    clock.advance(10 * 60_000 + 1000);
    expect((await callback(app, { code: fake.issueCode(), state: late }).expect(400)).body.error.code).toBe('INVALID_STATE');
  });

  it('when the manager who started the flow is deactivated before the callback, then it is refused', async () => {
    const { app, config } = googleWorld(fake);
    const salon = await createSalon(config);
    const state = await consentState(app, salon.manager);
    await User.updateOne({ _id: salon.manager.id, companyId: salon.companyId }, { $set: { isActive: false } });
    expect((await callback(app, { code: fake.issueCode(), state }).expect(400)).body.error.code).toBe('INVALID_STATE');
    expect((await stored(salon.companyId))?.googleRefreshToken).toBeUndefined();
  });

  it('when the user declines consent, then the browser goes back to the dashboard (B25)', async () => {
    const { app, config } = googleWorld(fake);
    const salon = await createSalon(config);
    const state = await consentState(app, salon.manager);
    const res = await callback(app, { error: 'access_denied', state }).expect(302);
    expect(res.headers.location).toBe(`${DASHBOARD}?google=error&reason=access_denied`);
  });

  it.each([
    ['a refused code (400)', 'badRequest'],
    ['a failure (500)', 'error500'],
    ['a rate limit (429)', 'rateLimited'],
    ['no answer', 'hang'],
  ] as const)('when the token exchange meets %s, then "error" and nothing is written', async (_what, step) => {
    const { app, config } = googleWorld(fake);
    const salon = await createSalon(config);
    const state = await consentState(app, salon.manager);
    fake.fail([step], /^\/token$/);
    const started = Date.now();
    const res = await callback(app, { code: fake.issueCode(), state }).expect(302);
    expect(res.headers.location).toBe(`${DASHBOARD}?google=error&reason=exchange_failed`);
    expect(fake.calls('POST', /^\/token$/).at(-1)?.step).toBe(step);
    expect(Date.now() - started).toBeLessThan(5000);
    const doc = await stored(salon.companyId);
    expect(doc?.googleAccessToken).toBeUndefined();
    expect(doc?.googleRefreshToken).toBeUndefined();
  });

  it('when Google returns no refresh token and none is stored, then "error": a connection that cannot last is not saved', async () => {
    const { app, config } = googleWorld(fake);
    const salon = await createSalon(config);
    const state = await consentState(app, salon.manager);
    const res = await callback(app, { code: fake.issueCode({ withRefreshToken: false }), state }).expect(302);
    expect(res.headers.location).toContain('google=error');
    expect((await stored(salon.companyId))?.googleAccessToken).toBeUndefined();
  });
});
