/** Building blocks shared by the area schemas. */
import { Types } from 'mongoose';
import { z } from 'zod';
import { HH_MM, STAFF_ROLES } from '../models/constants';
import { isValidZone } from '../services/booking/time';

export const objectId = z
  .string({ message: 'must be a string id' })
  .refine((v) => /^[0-9a-fA-F]{24}$/.test(v) && Types.ObjectId.isValid(v), { message: 'must be a valid id' });

export const IdParams = z.object({ id: objectId }).strict();
export type IdParams = z.infer<typeof IdParams>;

/**
 * Email normalisation used everywhere (register, login, staff): trimmed and lower-cased, nothing
 * else. The original also removed Gmail dots and +tags on some routes only, so staff created as
 * jane.doe@gmail.com could never log in.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const email = z
  .string({ message: 'Valid email is required' })
  .transform(normalizeEmail)
  .pipe(z.email({ message: 'Valid email is required' }).max(254));

/** bcrypt uses only the first 72 bytes of a password; longer ones would be silently truncated. */
export const MAX_PASSWORD_BYTES = 72;
const TOO_LONG = `Password must be at most ${MAX_PASSWORD_BYTES} bytes`;
const fitsBcrypt = (p: string): boolean => Buffer.byteLength(p, 'utf8') <= MAX_PASSWORD_BYTES;

/** Any password that is checked against a hash (login): present and within bcrypt's length. */
export const presentedPassword = z
  .string({ message: 'Password is required' })
  .min(1, 'Password is required')
  .refine(fitsBcrypt, { message: TOO_LONG });

/** The register rule, applied to every password that is set (register, staff create and update). */
export const strongPassword = z
  .string({ message: 'Password is required' })
  .min(8, 'Password must be at least 8 characters')
  .regex(/[a-z]/, 'Password must contain at least one lowercase letter')
  .regex(/[A-Z]/, 'Password must contain at least one uppercase letter')
  .regex(/[0-9]/, 'Password must contain at least one number')
  .refine(fitsBcrypt, { message: TOO_LONG });

export const hexColor = z.string().regex(/^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$/, 'Color must be a valid hex like #6B7280 or #333');

export const staffRole = z.enum(STAFF_ROLES, { message: `role must be one of: ${STAFF_ROLES.join(', ')}` });

export const hhmm = z.string().regex(HH_MM, 'must be a time like 09:30');

/** An IANA time zone (`Europe/London`); booking evaluates every wall-clock rule in it. */
export const ianaZone = (message = 'must be an IANA time zone such as Europe/London') =>
  z.string({ message }).trim().refine(isValidZone, { message });
