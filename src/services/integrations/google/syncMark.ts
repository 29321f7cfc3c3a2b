/**
 * What the booking engine adds to an appointment write so the calendar sync job picks it up: the
 * mark goes into the same insert or update as the change itself (durable: a crash after the
 * commit cannot lose it), and only for a company whose Google Calendar sync is on (connected, a
 * calendar chosen, auto-sync not turned off), so other companies' bookings cost nothing more.
 */
import type { Types } from 'mongoose';
import { CompanyIntegration } from '../../../models/CompanyIntegration';

type Id = Types.ObjectId | string;

/** Whether changes of this company's appointments go to Google Calendar. */
export async function calendarSyncOn(companyId: Id): Promise<boolean> {
  const i = await CompanyIntegration.findOne({ companyId }, { googleAutoSync: 1, googleCalendarId: 1, googleRefreshToken: 1 }).lean();
  return Boolean(i && i.googleAutoSync !== false && i.googleCalendarId && i.googleRefreshToken);
}

/** The sync state of a new appointment (spread into the inserted document). */
export function newSyncState(on: boolean, now: Date): { googleSync?: Record<string, unknown> } {
  return on ? { googleSync: { pending: true, version: 1, attempts: 0, nextAttemptAt: now } } : {};
}

/** An appointment update's `$set`, plus the mark (`$set` and `$inc`) when the company syncs. */
export function withSyncMark(
  set: Record<string, unknown>,
  on: boolean,
  now: Date,
): { $set: Record<string, unknown>; $inc?: Record<string, number> } {
  if (!on) return { $set: set };
  return {
    $set: { ...set, 'googleSync.pending': true, 'googleSync.nextAttemptAt': now, 'googleSync.attempts': 0 },
    $inc: { 'googleSync.version': 1 },
  };
}
