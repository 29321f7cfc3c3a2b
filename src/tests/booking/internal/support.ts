/** Shared by the internal booking suites: an app on a manual clock that records its events, and the key header. */
import request from 'supertest';
import { buildApp } from '../../../app';
import { recordingRealtime } from '../../../socket/realtime';
import { manualClock } from '../../../utils/clock';
import type { BookingWorld } from '../../factories/booking';
import { testConfig } from '../../helpers/config';

export const BASE = '/api/v1/internal/booking';
/** Monday 2030-06-03 08:00 in Tbilisi (UTC+4). */
export const NOW = new Date('2030-06-03T04:00:00Z');
/** Tuesday, the day the suites book on. */
export const DAY = '2030-06-04';

export function bookingApp() {
  const config = testConfig();
  const realtime = recordingRealtime();
  const clock = manualClock(NOW);
  const app = buildApp({ config, realtime, clock });
  const key = { 'x-api-key': config.internalApiKey };
  const api = {
    get: (path: string, query: Record<string, unknown> = {}) => request(app).get(`${BASE}${path}`).query(query).set(key),
    post: (path: string, body: Record<string, unknown>) => request(app).post(`${BASE}${path}`).set(key).send(body),
    put: (path: string, body: Record<string, unknown>) => request(app).put(`${BASE}${path}`).set(key).send(body),
    delete: (path: string, query: Record<string, unknown> = {}) => request(app).delete(`${BASE}${path}`).query(query).set(key),
  };
  return { app, config, realtime, clock, api };
}

/** `HH:mm` on DAY in Tbilisi, as an ISO instant with its offset. */
export const at = (hhmm: string, date = DAY): string => `${date}T${hhmm}:00+04:00`;

/** The E4 envelope of an error. */
export const e4 = (code: string, extra: Record<string, unknown> = {}) => ({ success: false, error: expect.any(String), code, ...extra });

export const s = (id: unknown): string => String(id);

/** A booking body for the world's customer, pet, first variant, first groomer and main location at 10:00. */
export const bookingBody = (w: BookingWorld, over: Record<string, unknown> = {}) => ({
  companyId: s(w.companyId),
  customerId: s(w.customerId),
  petId: s(w.petId),
  serviceItemId: s(w.itemIds[0]),
  staffId: s(w.staff[0]),
  locationId: s(w.locationId),
  start: at('10:00'),
  ...over,
});
