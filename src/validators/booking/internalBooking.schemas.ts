/**
 * The Meta Bot's internal booking API (docs/meta-bot-booking-api.md) and the I1–I3 socket bodies.
 * Every booking request names its company; ids are 24-hex; instants are ISO-8601 with an offset
 * or Z (a naive time has no zone the server could trust, Z-3/Z-5); dates are local `yyyy-MM-dd`,
 * `today` or `tomorrow` in the location's zone (B-15/Z-2).
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { CANCEL_REASONS, PET_SIZES } from '../../models/constants';
import { isIsoDate } from '../../services/booking/time';
import { objectId } from '../common.schemas';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** An instant: ISO-8601 with an offset or Z, e.g. `2030-06-03T10:00:00+04:00`. */
export const instant = z
  .string({ message: 'must be an ISO-8601 date-time string' })
  .refine((s) => INSTANT.test(s) && DateTime.fromISO(s, { setZone: true }).isValid, {
    message: 'must be an ISO-8601 date-time with an offset or Z, e.g. 2030-06-03T10:00:00+04:00',
  })
  .transform((s) => DateTime.fromISO(s, { setZone: true }).toJSDate());

export const localDate = z.string().refine(isIsoDate, { message: 'must be a date written yyyy-MM-dd' });
const dayWord = z.union([z.enum(['today', 'tomorrow']), localDate], { message: 'must be yyyy-MM-dd, today or tomorrow' });

const SIZE_WORDS: Record<string, (typeof PET_SIZES)[number]> = {
  s: 'S',
  small: 'S',
  m: 'M',
  medium: 'M',
  l: 'L',
  large: 'L',
  xl: 'XL',
  'x-large': 'XL',
  'extra large': 'XL',
  'extra-large': 'XL',
};
/** A pet size as the bot may say it (`m`, `Medium`, `XL`); unknown words are left for the model to refuse. */
const sizeWord = (v: string): string => SIZE_WORDS[v.trim().toLowerCase()] ?? v.trim();
export const petSize = z
  .string()
  .transform(sizeWord)
  .pipe(z.enum(PET_SIZES, { message: `must be one of: ${PET_SIZES.join(', ')}` }));

const intString = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const endAfterStart = <T extends { start?: Date; end?: Date }>(b: T): boolean => !b.start || !b.end || b.end > b.start;
const END_AFTER_START = { message: 'End time must be after start time', path: ['end'] };
const notes = z.string().trim().max(1000, 'must be at most 1000 characters');

export const CompanyQuery = z.object({ companyId: objectId }).strict();
export type CompanyQuery = z.infer<typeof CompanyQuery>;
export const IdParams = z.object({ id: objectId }).strict();
export const CustomerParams = z.object({ customerId: objectId }).strict();

export const CheckBody = z
  .object({
    companyId: objectId,
    staffId: objectId,
    start: instant,
    end: instant,
    locationId: objectId.optional(),
    serviceItemId: objectId.optional(),
    customerId: objectId.optional(),
    excludeAppointmentId: objectId.optional(),
  })
  .strict()
  .refine(endAfterStart, END_AFTER_START);
export type CheckBody = z.infer<typeof CheckBody>;

export const SlotsQuery = z
  .object({
    companyId: objectId,
    serviceItemId: objectId.optional(),
    serviceId: objectId.optional(),
    petSize: petSize.optional(),
    petId: objectId.optional(),
    locationId: objectId.optional(),
    date: dayWord.optional(),
    from: dayWord.optional(),
    to: localDate.optional(),
    staffId: objectId.optional(),
    customerId: objectId.optional(),
    stepMinutes: intString(5, 60).optional(),
  })
  .strict()
  .refine((q) => Boolean(q.serviceItemId) !== Boolean(q.serviceId), {
    message: 'Give serviceItemId or serviceId (one of them)',
    path: ['serviceItemId'],
  })
  .refine((q) => Boolean(q.date) !== Boolean(q.from), { message: 'Give date, or from (and optionally to)', path: ['date'] })
  .refine((q) => !q.to || Boolean(q.from), { message: '`to` needs `from`', path: ['to'] });
export type SlotsQuery = z.infer<typeof SlotsQuery>;

export const BookBody = z
  .object({
    companyId: objectId,
    customerId: objectId,
    petId: objectId,
    serviceId: objectId.optional(),
    serviceItemId: objectId,
    staffId: objectId,
    locationId: objectId,
    start: instant,
    end: instant.optional(),
    notes: notes.optional(),
    holdId: objectId.optional(),
  })
  .strict()
  .refine(endAfterStart, END_AFTER_START);
export type BookBody = z.infer<typeof BookBody>;

const MOVES = ['start', 'end', 'staffId', 'locationId', 'serviceId', 'serviceItemId', 'notes'] as const;
export const RescheduleBody = z
  .object({
    companyId: objectId,
    /** When given, the appointment must be this customer's (the one the bot is talking to). */
    customerId: objectId.optional(),
    start: instant.optional(),
    end: instant.optional(),
    staffId: objectId.optional(),
    locationId: objectId.optional(),
    serviceId: objectId.optional(),
    serviceItemId: objectId.optional(),
    notes: notes.optional(),
  })
  .strict()
  .refine(endAfterStart, END_AFTER_START)
  .refine((b) => MOVES.some((k) => b[k] !== undefined), { message: `Nothing to change: give one of ${MOVES.join(', ')}`, path: ['start'] });
export type RescheduleBody = z.infer<typeof RescheduleBody>;

export const CancelBody = z
  .object({
    companyId: objectId,
    customerId: objectId.optional(),
    /** The customer's words, kept in the notes; never refused for its length (B-13), only shortened. */
    reason: z
      .string()
      .transform((s) => s.trim().slice(0, 1000))
      .optional(),
    cancelReason: z.enum(CANCEL_REASONS, { message: `must be one of: ${CANCEL_REASONS.join(', ')}` }).default('customer_requested'),
  })
  .strict();
export type CancelBody = z.infer<typeof CancelBody>;

export const AppointmentsQuery = z
  .object({
    companyId: objectId,
    status: z.enum(['upcoming', 'past', 'all'], { message: 'must be upcoming, past or all' }).default('upcoming'),
    limit: intString(1, 200).default(50),
  })
  .strict();
export type AppointmentsQuery = z.infer<typeof AppointmentsQuery>;

export const StaffQuery = z
  .object({
    companyId: objectId,
    serviceId: objectId.optional(),
    serviceItemId: objectId.optional(),
    locationId: objectId.optional(),
    start: instant.optional(),
    end: instant.optional(),
  })
  .strict()
  .refine((q) => Boolean(q.start) === Boolean(q.end), { message: 'Give both start and end, or neither', path: ['end'] })
  .refine(endAfterStart, END_AFTER_START);
export type StaffQuery = z.infer<typeof StaffQuery>;

export const ServicesQuery = z
  .object({ companyId: objectId, species: z.enum(['dog', 'cat', 'other'], { message: 'must be dog, cat or other' }).optional() })
  .strict();
export type ServicesQuery = z.infer<typeof ServicesQuery>;

/**
 * A new pet: the types are checked here; the domain rules (species, sex, coat and temperament
 * values, lengths, ranges) are the Pet model's, whose messages come back as VALIDATION_FAILED.
 */
export const PetBody = z
  .object({
    companyId: objectId,
    name: z.string(),
    species: z.string().transform((s) => s.trim().toLowerCase()),
    breed: z.string().optional(),
    size: z.string().transform(sizeWord).optional(),
    coatType: z.string().optional(),
    sex: z.string().optional(),
    allergies: z.array(z.string()).max(50).optional(),
    weightKg: z.number().optional(),
    ageYears: z.number().optional(),
    temperament: z.string().optional(),
    medicalNotes: z.string().optional(),
  })
  .strict();
export type PetBody = z.infer<typeof PetBody>;

export const HoldBody = z
  .object({
    companyId: objectId,
    customerId: objectId,
    serviceItemId: objectId,
    staffId: objectId,
    locationId: objectId,
    start: instant,
    end: instant.optional(),
    petId: objectId.optional(),
    ttlSeconds: z.number().int('must be a whole number').min(10, 'must be at least 10').max(900, 'must be at most 900').optional(),
  })
  .strict()
  .refine(endAfterStart, END_AFTER_START);
export type HoldBody = z.infer<typeof HoldBody>;

export const HoldsQuery = z.object({ companyId: objectId, customerId: objectId.optional() }).strict();
export type HoldsQuery = z.infer<typeof HoldsQuery>;

/** I1–I3 [COMPAT]: `{appointmentId}` with the original's messages; other keys are ignored. */
export const SocketBody = z.object({
  appointmentId: z
    .string({ message: 'appointmentId is required' })
    .min(1, { message: 'appointmentId is required', abort: true })
    .regex(/^[0-9a-fA-F]{24}$/, 'appointmentId must be a valid MongoDB ObjectId'),
});
export type SocketBody = z.infer<typeof SocketBody>;
