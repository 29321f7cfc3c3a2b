/**
 * Appointment → Google Calendar sync, durable like the message outbox. The booking engine marks
 * an appointment (`googleSync.pending`, `version` bumped) in the write that changes it; this
 * worker claims one marked appointment at a time with an atomic lease, so processes sharing the
 * database never work on the same appointment at once, and a lease left by a crashed process
 * expires so the work is done after a restart. It syncs the appointment as it is now: an active
 * one is inserted or updated (an event deleted on Google's side is re-created, B-19), a canceled
 * or no-show one has its event deleted and its id cleared. Inserts carry an id derived from the
 * appointment, so a retried insert whose first answer was lost finds its event (409) instead of
 * creating a second one. Failures retry with exponential backoff and jitter, then give up
 * recording the error; a later change of the appointment starts again.
 */
import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import type { Config } from '../../../config/env';
import { Appointment } from '../../../models/Appointment';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { crossTenant } from '../../../models/plugins/tenantScoped';
import type { Clock } from '../../../utils/clock';
import { moduleLogger } from '../../../utils/logger';
import { GoogleError, type CalendarEvent, type GoogleClient } from './google.client';
import { openConnection, saveRefreshedTokens, type GoogleConnection } from './googleConnection';

const log = moduleLogger('calendar-sync');

/** Appointments one drain handles at most, so a run (and a shutdown waiting for it) stays short. */
const MAX_PER_DRAIN = 100;
/** Writes of one event in one attempt: update (gone), insert (409: an earlier one), update, insert. */
const MAX_PLACE_STEPS = 4;
/**
 * HTTP calls one attempt may make at most: a delete from an old calendar and the place steps,
 * each of which the client may precede by a token refresh and repeat once after a 401.
 */
const MAX_CALLS_PER_SYNC = 1 + MAX_PLACE_STEPS * 3;

interface SyncState {
  pending?: boolean | null;
  version?: number | null;
  attempts?: number | null;
  lockOwner?: string | null;
  calendarId?: string | null;
  generation?: number | null;
}

interface Claimed {
  _id: Types.ObjectId;
  companyId: Types.ObjectId;
  status?: string | null;
  start: Date;
  end: Date;
  notes?: string | null;
  googleCalendarEventId?: string | null;
  googleSync: SyncState;
  customerId?: { fullName?: string; phone?: string } | null;
  petId?: { name?: string } | null;
  serviceId?: { name?: string } | null;
}

interface Placed {
  eventId: string | null;
  calendarId: string;
  generation: number;
}

type Outcome =
  | { kind: 'done'; placed: Placed }
  | { kind: 'skipped' }
  | { kind: 'retry'; error: string; delayMs?: number }
  | { kind: 'fail'; error: string };

export interface CalendarSync {
  /** Syncs what is due now; resolves with how many appointments it handled. */
  drain(): Promise<number>;
  readonly leaseMs: number;
}

/** The event id of an appointment's n-th event: Google's base32hex alphabet (0-9, a-v), unique per appointment. */
export const eventIdFor = (appointmentId: Types.ObjectId | string, generation: number): string =>
  `pb${String(appointmentId).toLowerCase()}n${generation}`;

/** The event as the contract describes it (§8): what, for whom, the customer's phone, and UTC times. */
export function eventFor(a: Claimed): CalendarEvent {
  const what = [a.serviceId?.name, a.petId?.name].filter(Boolean).join(' - ');
  const who = a.customerId?.fullName ? `(${a.customerId.fullName})` : '';
  const description = [a.notes, a.customerId?.phone ? `Phone: ${a.customerId.phone}` : ''].filter(Boolean).join('\n');
  return {
    summary: [what, who].filter(Boolean).join(' ') || 'Appointment',
    description: description.slice(0, 8000),
    start: { dateTime: a.start.toISOString() },
    end: { dateTime: a.end.toISOString() },
    extendedProperties: { private: { petbuddyAppointmentId: String(a._id) } },
  };
}

const isGone = (err: unknown) => err instanceof GoogleError && err.kind === 'gone';
const ENDED = new Set(['canceled', 'no_show']);

export function createCalendarSync(deps: { config: Config; clock: Clock; google: GoogleClient; random?: () => number }): CalendarSync {
  const { config, clock } = deps;
  const opts = config.google.sync;
  const random = deps.random ?? Math.random;
  const connDeps = { google: deps.google, dataEncryptionKey: config.dataEncryptionKey };
  const workerId = randomUUID();
  // Every call of one sync is bounded by the timeout, so a live worker's lease never expires under it.
  const leaseMs = config.google.timeoutMs * MAX_CALLS_PER_SYNC + 30_000;

  const backoff = (attempt: number): number => {
    const exp = Math.min(opts.retryMaxDelayMs, opts.retryBaseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(exp / 2 + random() * (exp / 2));
  };

  async function claim(): Promise<Claimed | null> {
    const now = clock.now();
    const owner = `${workerId}/${randomUUID()}`;
    const leased = await crossTenant(
      Appointment.findOneAndUpdate(
        {
          'googleSync.pending': true,
          'googleSync.nextAttemptAt': { $lte: now },
          $or: [{ 'googleSync.lockedUntil': null }, { 'googleSync.lockedUntil': { $lt: now } }],
        },
        {
          $set: { 'googleSync.lockedUntil': new Date(now.getTime() + leaseMs), 'googleSync.lockOwner': owner },
          $inc: { 'googleSync.attempts': 1 },
        },
        { sort: { 'googleSync.nextAttemptAt': 1 }, new: true, timestamps: false, projection: { _id: 1, companyId: 1 } },
      ),
    ).lean();
    if (!leased) return null;
    const match = { companyId: leased.companyId };
    const doc = await Appointment.findOne({ _id: leased._id, companyId: leased.companyId })
      .select('+googleSync')
      .populate([
        { path: 'customerId', select: 'fullName phone', match },
        { path: 'petId', select: 'name', match },
        { path: 'serviceId', select: 'name', match },
      ])
      .lean<Claimed>();
    return doc?.googleSync?.lockOwner === owner ? doc : null;
  }

  /** Puts the appointment's event in the chosen calendar, as it is now. */
  async function place(conn: GoogleConnection, calendarId: string, a: Claimed): Promise<Placed> {
    const { session } = conn;
    let generation = a.googleSync.generation ?? 0;
    let eventId = a.googleCalendarEventId || undefined;
    const eventCalendar = a.googleSync.calendarId ?? calendarId;
    if (eventId && eventCalendar !== calendarId) {
      // Another calendar was chosen since: the event moves (the old one is removed, best effort).
      await session.deleteEvent(eventCalendar, eventId).catch(() => undefined);
      eventId = undefined;
      generation++;
    }
    const event = eventFor(a);
    for (let step = 0; step < MAX_PLACE_STEPS; step++) {
      if (eventId) {
        try {
          await session.updateEvent(calendarId, eventId, event);
          return { eventId, calendarId, generation };
        } catch (err) {
          if (!isGone(err)) throw err;
          // B-19: deleted on Google's side; a new event (a fresh id: Google keeps deleted ids).
          eventId = undefined;
          generation++;
          continue;
        }
      }
      const id = eventIdFor(a._id, generation);
      try {
        await session.insertEvent(calendarId, { ...event, id });
        return { eventId: id, calendarId, generation };
      } catch (err) {
        if (!(err instanceof GoogleError && err.kind === 'conflict')) throw err;
        // Inserted by an earlier attempt whose answer was lost: bring that event up to date.
        eventId = id;
      }
    }
    throw new GoogleError('transient', undefined, 'the event could not be placed');
  }

  /** Deletes the appointment's event (already gone is fine) and forgets its id. */
  async function remove(conn: GoogleConnection, calendarId: string, a: Claimed): Promise<Placed> {
    const generation = a.googleSync.generation ?? 0;
    const eventCalendar = a.googleSync.calendarId ?? calendarId;
    // With no id recorded, an insert whose answer was lost may still have created the event.
    const eventId = a.googleCalendarEventId || eventIdFor(a._id, generation);
    await conn.session.deleteEvent(eventCalendar, eventId).catch((err: unknown) => {
      if (!isGone(err)) throw err;
    });
    return { eventId: null, calendarId: eventCalendar, generation: generation + 1 };
  }

  async function attempt(a: Claimed): Promise<Outcome> {
    const conn = await openConnection(connDeps, a.companyId);
    // Sync turned off, disconnected, or no calendar chosen since the change: nothing to send.
    if (!conn || !conn.autoSync || !conn.calendarId) return { kind: 'skipped' };
    try {
      const placed = ENDED.has(a.status ?? '') ? await remove(conn, conn.calendarId, a) : await place(conn, conn.calendarId, a);
      return { kind: 'done', placed };
    } catch (err) {
      if (!(err instanceof GoogleError)) throw err;
      if (err.kind === 'invalid' || err.kind === 'gone') return { kind: 'fail', error: err.message };
      return { kind: 'retry', error: err.message, ...(err.retryAfterMs !== undefined ? { delayMs: err.retryAfterMs } : {}) };
    } finally {
      await saveRefreshedTokens(connDeps, conn);
    }
  }

  /**
   * Records the outcome while the lease is still this worker's. `current` applies only if the
   * appointment did not change during the attempt; otherwise it stays pending for the new version.
   */
  async function finish(a: Claimed, always: Update, current: Update): Promise<void> {
    const unlock = { 'googleSync.lockedUntil': 1, 'googleSync.lockOwner': 1 };
    const mine = { _id: a._id, companyId: a.companyId, 'googleSync.lockOwner': a.googleSync.lockOwner };
    const merged = { $set: { ...always.$set, ...current.$set }, $unset: { ...always.$unset, ...current.$unset, ...unlock } };
    const res = await Appointment.updateOne({ ...mine, 'googleSync.version': a.googleSync.version ?? null }, merged, { timestamps: false });
    if (res.matchedCount > 0) return;
    const res2 = await Appointment.updateOne(mine, { $set: always.$set, $unset: { ...always.$unset, ...unlock } }, { timestamps: false });
    if (res2.matchedCount === 0)
      log.warn('calendar sync outcome dropped: the lease passed to another worker', { appointmentId: String(a._id) });
  }

  async function record(a: Claimed, outcome: Outcome): Promise<void> {
    const now = clock.now();
    const ids = { appointmentId: String(a._id), companyId: String(a.companyId) };
    const attempts = a.googleSync.attempts ?? 1;
    const none: Update = { $set: {}, $unset: {} };
    const settled: Update = { $set: { 'googleSync.pending': false, 'googleSync.attempts': 0 }, $unset: {} };
    if (outcome.kind === 'done') {
      const { eventId, calendarId, generation } = outcome.placed;
      const placed: Update = {
        $set: { 'googleSync.calendarId': calendarId, 'googleSync.generation': generation, 'googleSync.syncedAt': now },
        $unset: { 'googleSync.lastError': 1, 'googleSync.failedAt': 1 },
      };
      if (eventId) placed.$set.googleCalendarEventId = eventId;
      else placed.$unset.googleCalendarEventId = 1;
      await finish(a, placed, settled);
      await CompanyIntegration.updateOne({ companyId: a.companyId }, { $set: { lastGoogleSyncAt: now } });
      log.info('calendar event synced', { ...ids, eventId, action: eventId ? 'placed' : 'deleted' });
      return;
    }
    if (outcome.kind === 'skipped') return finish(a, none, settled);
    if (outcome.kind === 'retry' && attempts < opts.maxAttempts) {
      // Google's Retry-After, when given, is a floor: never sooner than it says, nor than the backoff.
      const delayMs = Math.min(Math.max(outcome.delayMs ?? 0, backoff(attempts)), opts.retryMaxDelayMs);
      const later = { 'googleSync.nextAttemptAt': new Date(now.getTime() + delayMs), 'googleSync.lastError': outcome.error };
      await finish(a, { $set: later, $unset: {} }, none);
      log.warn('calendar sync failed; will retry', { ...ids, attempts, delayMs, error: outcome.error });
      return;
    }
    const error = outcome.kind === 'retry' ? `Gave up after ${attempts} attempts: ${outcome.error}` : outcome.error;
    await finish(
      a,
      { $set: { 'googleSync.lastError': error }, $unset: {} },
      { $set: { 'googleSync.pending': false, 'googleSync.failedAt': now }, $unset: {} },
    );
    log.error('calendar sync failed', { ...ids, attempts, error });
  }

  async function syncOne(): Promise<boolean> {
    const a = await claim();
    if (!a) return false;
    let outcome: Outcome;
    try {
      outcome = await attempt(a);
    } catch (err) {
      outcome = { kind: 'retry', error: `Sync error: ${(err as Error).message}` };
    }
    await record(a, outcome);
    return true;
  }

  return {
    leaseMs,
    async drain() {
      let handled = 0;
      while (handled < MAX_PER_DRAIN && (await syncOne())) handled++;
      return handled;
    },
  };
}

interface Update {
  $set: Record<string, unknown>;
  $unset: Record<string, unknown>;
}
