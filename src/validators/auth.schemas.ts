/** Request schemas of /api/v1/auth. Only documented fields are accepted (no mass assignment). */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../models/constants';
import { email, hexColor, ianaZone, objectId, presentedPassword, strongPassword } from './common.schemas';

const LocationInput = z
  .object({
    label: z.string().trim().max(100).optional(),
    address: z.string({ message: 'Location address is required' }).trim().min(1, 'Location address is required').max(300),
    googleLocationUrl: z.string().trim().max(2000).optional(),
    phone: z.string().trim().max(20).optional(),
    timezone: ianaZone('Location timezone must be an IANA time zone such as Europe/London').optional(),
    isMain: z.boolean().optional(),
  })
  .strict();

export const RegisterBody = z
  .object({
    company: z
      .object({
        name: z
          .string({ message: 'Company name must be 2-100 characters' })
          .trim()
          .min(2, 'Company name must be 2-100 characters')
          .max(100, 'Company name must be 2-100 characters'),
        email: z
          .string({ message: 'Valid company email is required' })
          .transform((v) => v.trim().toLowerCase())
          .pipe(z.email({ message: 'Valid company email is required' })),
        phone: z.string().trim().min(10, 'Valid phone number must be at least 10 digits').max(20).optional(),
        address: z.string().trim().min(5, 'Address must be at least 5 characters').max(300).optional(),
        timezone: ianaZone('Valid timezone is required (an IANA time zone such as Europe/London)'),
        businessTypes: z
          .array(z.enum(BUSINESS_TYPES, { message: 'Invalid business type' }))
          .max(BUSINESS_TYPES.length)
          .optional(),
        locations: z.array(LocationInput).max(50).optional(),
      })
      .strict(),
    user: z
      .object({
        fullName: z.string().trim().min(2).max(100).optional(),
        firstName: z.string().trim().min(2).max(50).optional(),
        lastName: z.string().trim().min(2).max(50).optional(),
        email,
        password: strongPassword,
        phone: z.string().trim().max(20).optional(),
        color: hexColor.optional(),
        picture: z.url().max(2000).optional(),
      })
      .strict()
      .refine((u) => Boolean(u.fullName) || (Boolean(u.firstName) && Boolean(u.lastName)), {
        message: 'Provide fullName (2-100 chars) or firstName and lastName (>=2 chars each)',
        path: ['fullName'],
      }),
  })
  .strict();
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z
  .object({
    email,
    password: presentedPassword,
    companyId: objectId.optional(),
  })
  .strict();
export type LoginBody = z.infer<typeof LoginBody>;

/** Refresh and logout: `{}` or `{refreshToken: string}` [COMPAT]. */
export const TokenBody = z.object({ refreshToken: z.string({ message: 'Refresh token must be a string' }).optional() }).passthrough();
export type TokenBody = z.infer<typeof TokenBody>;
