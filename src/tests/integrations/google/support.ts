/**
 * The Google suites' world: the app and the calendar sync pointed at a fake Google on loopback,
 * one clock for both (so tests move time instead of sleeping), a salon, and a company connected
 * the way a manager connects it (G1 → consent → G2 callback → G4).
 */
import type { Express } from 'express';
import request from 'supertest';
import type { Config } from '../../../config/env';
import { Appointment } from '../../../models/Appointment';
import { crossTenant } from '../../../models/plugins/tenantScoped';
import { createCalendarSync, type CalendarSync } from '../../../services/integrations/google/calendarSync.service';
import { createGoogleClient } from '../../../services/integrations/google/google.client';
import { manualClock } from '../../../utils/clock';
import { auth, bookingApp, createSalon, type Person, type Salon } from '../../booking/support';
import type { FakeGoogle } from '../../helpers/fakeGoogle';

export const CALENDAR = 'team@group.calendar.google.com';

export function googleEnv(fake: FakeGoogle, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: fake.clientId,
    GOOGLE_CLIENT_SECRET: fake.clientSecret,
    GOOGLE_REDIRECT_URI: 'http://127.0.0.1:4000/api/v1/google/oauth/callback',
    GOOGLE_OAUTH_URL: fake.url,
    GOOGLE_API_URL: fake.url,
    GOOGLE_TIMEOUT_MS: '300',
    GOOGLE_SYNC_RETRY_BASE_MS: '1000',
    GOOGLE_SYNC_RETRY_MAX_DELAY_MS: '60000',
    GOOGLE_SYNC_MAX_ATTEMPTS: '5',
    FRONTEND_URL: 'http://dashboard.test',
    ...extra,
  };
}

export interface GoogleWorld {
  app: Express;
  config: Config;
  clock: ReturnType<typeof manualClock>;
  sync: CalendarSync;
}

export function googleWorld(fake: FakeGoogle, extra: Record<string, string> = {}): GoogleWorld {
  const clock = manualClock(new Date());
  const { app, config } = bookingApp({ clock, env: googleEnv(fake, extra) });
  const sync = createCalendarSync({ config, clock, google: createGoogleClient(config), random: () => 0.5 });
  return { app, config, clock, sync };
}

/** The state G1 put in the consent URL. */
export async function consentState(app: Express, who: Person): Promise<string> {
  const res = await request(app).get('/api/v1/google/auth/url').set(auth(who)).expect(200);
  return new URL(res.body.url as string).searchParams.get('state')!;
}

/** Google's redirect back to the callback. */
export function callback(app: Express, query: Record<string, string>) {
  return request(app).get('/api/v1/google/oauth/callback').query(query);
}

/** The salon's manager connects Google and picks the calendar; answers the salon. */
export async function connectedSalon(world: GoogleWorld, fake: FakeGoogle): Promise<Salon> {
  const salon = await createSalon(world.config);
  await connect(world.app, fake, salon.manager);
  await request(world.app).post('/api/v1/google/calendar/select').set(auth(salon.manager)).send({ calendarId: CALENDAR }).expect(200);
  return salon;
}

export async function connect(app: Express, fake: FakeGoogle, manager: Person): Promise<void> {
  const state = await consentState(app, manager);
  const res = await callback(app, { code: fake.issueCode(), state, scope: 'calendar' });
  expect(res.status).toBe(302);
  expect(res.headers.location).toBe('http://dashboard.test/settings/company?google=connected');
}

/** Runs the sync until no appointment waits for it, moving the clock past each backoff (bounded); answers the rounds. */
export async function syncUntilIdle(world: GoogleWorld, maxRounds = 20): Promise<number> {
  for (let round = 1; round <= maxRounds; round++) {
    await world.sync.drain();
    if ((await crossTenant(Appointment.countDocuments({ 'googleSync.pending': true }))) === 0) return round;
    world.clock.advance(61_000);
  }
  throw new Error(`calendar sync still busy after ${maxRounds} rounds`);
}
