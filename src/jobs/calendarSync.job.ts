/**
 * The Google Calendar sync job: every GOOGLE_SYNC_POLL_MS it syncs the appointments marked for it
 * (src/services/integrations/google/calendarSync.service.ts). Every process may run it: each
 * appointment is leased in the database while one process works on it.
 */
import type { Config } from '../config/env';
import { createCalendarSync, type CalendarSync } from '../services/integrations/google/calendarSync.service';
import { createGoogleClient, type GoogleClient } from '../services/integrations/google/google.client';
import type { Clock } from '../utils/clock';
import type { Job } from './scheduler';

export function calendarSyncJob(deps: { config: Config; clock: Clock; google?: GoogleClient }): Job & { sync: CalendarSync } {
  const sync = createCalendarSync({ config: deps.config, clock: deps.clock, google: deps.google ?? createGoogleClient(deps.config) });
  return { name: 'google-calendar-sync', intervalMs: deps.config.google.sync.pollMs, run: () => sync.drain(), sync };
}
