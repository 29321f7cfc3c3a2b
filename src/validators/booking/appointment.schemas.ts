/** Dashboard appointment, availability, hold and time-off inputs (contract booking.md §3). */
import { z } from 'zod';
import { APPOINTMENT_SOURCES, APPOINTMENT_STATUSES, CANCEL_REASONS, NO_SHOW_REASONS } from '../../models/constants';
import { isIsoDate } from '../../services/booking/time';
import { hexColor, objectId } from '../common.schemas';

/** An ISO-8601 date-time (`2025-01-15T10:00:00.000Z`, or with an offset), as a Date. */
export const isoDateTime = z
  .string({ message: 'must be an ISO-8601 date-time' })
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), { message: 'must be an ISO-8601 date-time' })
  .transform((s) => new Date(s));

/** A calendar date `yyyy-MM-dd`. */
export const localDay = z.string().refine(isIsoDate, { message: 'must be a date like 2025-01-31' });

const status = z.enum(APPOINTMENT_STATUSES, { message: `status must be one of: ${APPOINTMENT_STATUSES.join(', ')}` });
const cancelReason = z.enum(CANCEL_REASONS, { message: `reason must be one of: ${CANCEL_REASONS.join(', ')}` });
const notes = z.string().trim().max(1000, 'Notes must be at most 1000 characters');
const intParam = (min: number, max?: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(max === undefined ? z.number().min(min) : z.number().min(min).max(max));

/** A1: the dashboard's sort names map to fields (B-11); the name sorts have no field and fall back to the start time. */
export const SORT_FIELDS: Record<string, string> = {
  startTime: 'start',
  start: 'start',
  customerName: 'start',
  petName: 'start',
  serviceName: 'start',
  staffName: 'start',
  status: 'status',
  createdAt: 'createdAt',
};

export const AppointmentListQuery = z.object({
  page: intParam(1).optional(),
  limit: intParam(1, 500).optional(),
  size: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform((v) => Math.min(500, Math.max(1, Number(v))))
    .optional(),
  sortBy: z.enum(Object.keys(SORT_FIELDS) as [string, ...string[]], { message: 'Invalid sort field' }).optional(),
  sort: z.enum(Object.keys(SORT_FIELDS) as [string, ...string[]], { message: 'Invalid sort field' }).optional(),
  sortOrder: z.enum(['asc', 'desc']).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
  startDate: isoDateOrDay().optional(),
  endDate: isoDateOrDay().optional(),
  locationId: objectId.optional(),
  staffId: objectId.optional(),
  customerId: objectId.optional(),
  /** One status or a comma-separated list (B-9: the dashboard's "active" filter). */
  status: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(status).min(1, 'status must name at least one status'))
    .optional(),
});
export type AppointmentListQuery = z.infer<typeof AppointmentListQuery>;

function isoDateOrDay() {
  return z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}/.test(s), { message: 'must be an ISO-8601 date' })
    .transform((s) => new Date(s));
}

export const AppointmentCreateBody = z.object({
  customerId: objectId,
  petId: objectId,
  serviceId: objectId,
  serviceItemId: objectId,
  staffId: objectId,
  locationId: objectId,
  start: isoDateTime,
  end: isoDateTime.optional(),
  notes: notes.optional(),
  source: z.enum(APPOINTMENT_SOURCES, { message: `source must be one of: ${APPOINTMENT_SOURCES.join(', ')}` }).optional(),
  holdId: objectId.optional(),
});
export type AppointmentCreateBody = z.infer<typeof AppointmentCreateBody>;

const MOVE_KEYS = ['start', 'end', 'staffId', 'serviceId', 'serviceItemId', 'locationId'] as const;

/** A4: a move (times, staff, location, variant), a notes edit, or a status change through the table. */
export const AppointmentUpdateBody = z
  .object({
    start: isoDateTime.optional(),
    end: isoDateTime.optional(),
    staffId: objectId.optional(),
    serviceId: objectId.optional(),
    serviceItemId: objectId.optional(),
    locationId: objectId.optional(),
    notes: notes.optional(),
    status: status.optional(),
    reason: z.string().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.status && MOVE_KEYS.some((k) => b[k] !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'Change the status and the time or staff in separate requests' });
    }
    checkReason(b.status, b.reason, ctx);
  });
export type AppointmentUpdateBody = z.infer<typeof AppointmentUpdateBody>;

function checkReason(s: string | undefined, reason: string | undefined, ctx: z.RefinementCtx): void {
  if (s !== 'canceled' && s !== 'no_show') return;
  if (!reason) {
    ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Reason is required when canceling or marking as no-show' });
    return;
  }
  const allowed: readonly string[] = s === 'canceled' ? CANCEL_REASONS : NO_SHOW_REASONS;
  if (!allowed.includes(reason))
    ctx.addIssue({ code: 'custom', path: ['reason'], message: `reason must be one of: ${allowed.join(', ')}` });
}

export const AppointmentStatusBody = z
  .object({ status, reason: z.string().optional() })
  .superRefine((b, ctx) => checkReason(b.status, b.reason, ctx));
export type AppointmentStatusBody = z.infer<typeof AppointmentStatusBody>;

export const AppointmentCancelBody = z.object({
  reason: z.string({ message: 'Cancel reason is required' }).min(1, 'Cancel reason is required').pipe(cancelReason),
});

export const CustomerAppointmentsParams = z.object({ customerId: objectId });
export const CustomerAppointmentsQuery = z.object({
  status: status.optional(),
  upcoming: z.enum(['true', 'false', '1', '0'], { message: 'Upcoming must be a boolean' }).optional(),
});

export const AvailabilityQuery = z.object({
  serviceItemId: objectId,
  locationId: objectId,
  from: localDay,
  to: localDay,
  staffId: objectId.optional(),
  customerId: objectId.optional(),
  step: intParam(5, 240).optional(),
});

export const HoldCreateBody = z.object({
  customerId: objectId,
  petId: objectId.optional(),
  serviceItemId: objectId,
  staffId: objectId,
  locationId: objectId,
  start: isoDateTime,
  end: isoDateTime.optional(),
  ttlSeconds: z.number().int().min(10).max(900).optional(),
});

export const HoldListQuery = z.object({ customerId: objectId.optional(), staffId: objectId.optional(), locationId: objectId.optional() });

export const StaffTimeOffParams = z.object({ id: objectId });
export const TimeOffParams = z.object({ id: objectId, timeOffId: objectId });
export const TimeOffListQuery = z.object({ from: isoDateOrDay().optional(), to: isoDateOrDay().optional() });
export const TimeOffBody = z.object({
  start: isoDateTime,
  end: isoDateTime,
  reason: z.string().trim().max(200, 'reason must be at most 200 characters').optional(),
  color: hexColor.optional(),
});
export const TimeOffUpdateBody = TimeOffBody.partial();
