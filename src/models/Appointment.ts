/**
 * A booked service → `appointments` [COMPAT field names, shared with the Meta Bot's reads]. The
 * document hooks of the original (end after start, reason required for canceled/no-show) are
 * enforced by the booking service on every path, not only on save(). Non-overlap per staff member
 * is enforced by the booking service's guarded transaction (see services/booking/guards.ts).
 */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { APPOINTMENT_SOURCES, APPOINTMENT_STATUSES, CANCEL_REASONS, NO_SHOW_REASONS } from './constants';
import { tenantScoped } from './plugins/tenantScoped';

const ref = (to: string, required = false) => ({ type: Schema.Types.ObjectId, ref: to, required });

const appointmentSchema = new Schema(
  {
    companyId: ref('Company', true),
    locationId: ref('Location', true),
    customerId: ref('Contact', true),
    staffId: ref('User'),
    petId: ref('Pet', true),
    serviceId: ref('ServiceCategory', true),
    serviceItemId: ref('ServiceItem'),
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    status: { type: String, enum: APPOINTMENT_STATUSES, default: 'scheduled' },
    notes: { type: String, trim: true, maxlength: 1000 },
    source: { type: String, enum: APPOINTMENT_SOURCES, default: 'online' },
    googleCalendarEventId: { type: String, trim: true },
    /**
     * Google Calendar sync state (services/integrations/google/calendarSync.service.ts): a change
     * sets `pending` and bumps `version` in the same write, so a crash after the commit cannot lose
     * the sync; the job leases the appointment (`lockedUntil`/`lockOwner`) while it calls Google.
     * Not returned by default (select: false): it is bookkeeping, not part of the appointment.
     */
    googleSync: {
      type: new Schema(
        {
          pending: Boolean,
          version: Number,
          attempts: Number,
          nextAttemptAt: Date,
          lockedUntil: Date,
          lockOwner: String,
          /** The calendar the event lives in, and the generation of its client-chosen id. */
          calendarId: String,
          generation: Number,
          syncedAt: Date,
          lastError: String,
          failedAt: Date,
        },
        { _id: false },
      ),
      select: false,
    },
    audit: {
      scheduledByUserId: ref('User'),
      canceledByUserId: ref('User'),
      noShowByUserId: ref('User'),
      cancelReason: { type: String, trim: true, maxlength: 300, enum: CANCEL_REASONS },
      rescheduleReason: { type: String, trim: true, maxlength: 300, enum: CANCEL_REASONS },
      noShowReason: { type: String, trim: true, maxlength: 300, enum: NO_SHOW_REASONS },
    },
    checkedInAt: Date,
    startedAt: Date,
    completedAt: Date,
    canceledAt: Date,
    noShowAt: Date,
  },
  { timestamps: true },
);

// Overlap checks per staff member (start bounded below by the longest duration), day lists,
// a customer's appointments, and the location filter of the schedule page.
appointmentSchema.index({ companyId: 1, staffId: 1, start: 1 });
appointmentSchema.index({ companyId: 1, start: 1 });
appointmentSchema.index({ companyId: 1, customerId: 1, start: 1 });
appointmentSchema.index({ companyId: 1, locationId: 1, start: 1 });
// The calendar sync job's queue: only appointments waiting for a sync are indexed.
appointmentSchema.index({ 'googleSync.nextAttemptAt': 1 }, { partialFilterExpression: { 'googleSync.pending': true } });
appointmentSchema.plugin(tenantScoped);

export type AppointmentFields = InferSchemaType<typeof appointmentSchema> & { _id: Types.ObjectId };
export const Appointment = model('Appointment', appointmentSchema);
