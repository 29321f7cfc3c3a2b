/**
 * The status lifecycle (§5.8), enforced on every path (PUT, PATCH, DELETE, the Meta Bot): the
 * update is conditional on a status the table allows, so two concurrent changes cannot both pass
 * . Cancel and no-show release the appointment's reservations in the same transaction
 * and each keep their own audit fields and timestamp (T-3).
 */
import type { ClientSession, Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import type { AppointmentStatus } from '../../models/constants';
import { ResourceReservation } from '../../models/ResourceReservation';
import { AppError, NotFoundError } from '../../utils/errors';
import { calendarSyncOn, withSyncMark } from '../integrations/google/syncMark';
import { StatusTransitionError } from './errors';

export const TRANSITIONS: Record<AppointmentStatus, readonly AppointmentStatus[]> = {
  scheduled: ['checked_in', 'canceled', 'no_show'],
  checked_in: ['in_progress', 'canceled', 'no_show'],
  in_progress: ['completed', 'canceled', 'no_show'],
  completed: [],
  canceled: [],
  no_show: [],
};

/** Narrows a change: to one staff member's appointments, and/or to some current statuses. */
export interface StatusScope {
  staffId?: string;
  from?: readonly AppointmentStatus[];
}

export interface StatusChange {
  status: AppointmentStatus;
  /** Required for canceled (a cancel reason) and no_show (a no-show reason). */
  reason?: string;
  /** Free text kept in the notes (the Meta Bot's customer-given reason). */
  note?: string;
  userId?: string;
}

function fieldsFor(change: StatusChange, now: Date): Record<string, unknown> {
  const by = change.userId ? { userId: change.userId } : {};
  switch (change.status) {
    case 'checked_in':
      return { checkedInAt: now };
    case 'in_progress':
      return { startedAt: now };
    case 'completed':
      return { completedAt: now };
    case 'canceled':
      return { canceledAt: now, 'audit.cancelReason': change.reason, ...(by.userId ? { 'audit.canceledByUserId': by.userId } : {}) };
    case 'no_show':
      return { noShowAt: now, 'audit.noShowReason': change.reason, ...(by.userId ? { 'audit.noShowByUserId': by.userId } : {}) };
    default:
      return {};
  }
}

export async function setStatusIn(
  companyId: Types.ObjectId,
  id: string,
  change: StatusChange,
  now: Date,
  scope: StatusScope,
  session: ClientSession,
): Promise<void> {
  if ((change.status === 'canceled' || change.status === 'no_show') && !change.reason) {
    throw new AppError(400, 'MISSING_REASON', 'Reason is required when canceling or marking as no-show');
  }
  const from = (Object.keys(TRANSITIONS) as AppointmentStatus[]).filter(
    (s) => TRANSITIONS[s].includes(change.status) && (!scope.from || scope.from.includes(s)),
  );
  const filter = { _id: id, companyId, ...(scope.staffId ? { staffId: scope.staffId } : {}) };
  const set: Record<string, unknown> = { status: change.status, ...fieldsFor(change, now) };
  if (change.note) {
    const current = await Appointment.findOne(filter, { notes: 1 }, { session }).lean();
    set.notes = noteAppended(current?.notes ?? '', change.note);
  }
  // Marked for Google Calendar in the same update (a cancel or no-show deletes the event).
  const update = withSyncMark(set, await calendarSyncOn(companyId), now);
  const res = await Appointment.updateOne({ ...filter, status: { $in: from } }, update, { session });
  if (res.matchedCount === 0) {
    const current = await Appointment.findOne(filter, { status: 1 }, { session }).lean();
    if (!current) throw new NotFoundError('Appointment not found');
    throw new StatusTransitionError(current.status ?? 'scheduled', change.status);
  }
  if (change.status === 'canceled' || change.status === 'no_show') {
    await ResourceReservation.deleteMany({ companyId, appointmentId: id }, { session });
  }
}

/** Appends a line to the notes, keeping the newest text within the 1000-character limit (B-13). */
export function noteAppended(notes: string, note: string): string {
  const joined = notes ? `${notes}\n${note}` : note;
  return joined.length > 1000 ? joined.slice(joined.length - 1000) : joined;
}
