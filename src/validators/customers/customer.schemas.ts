/** Request schemas of /api/v1/catalog/customers. Unknown keys are refused (400), never stored. */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from '../../utils/errors';
import { email } from '../common.schemas';
import { pageParams } from './paging.schemas';

export const CONTACT_STATUS_FILTERS = ['customer', 'lead', 'all'] as const;
const contactStatus = z.enum(CONTACT_STATUS_FILTERS, { message: `contactStatus must be one of: ${CONTACT_STATUS_FILTERS.join(', ')}` });
// The dashboard sends its own companyId; sameCompany() has already refused any other.
const companyId = z.string().optional();

export const CustomerListQuery = z
  .object({ q: z.string().trim().max(100).optional(), contactStatus: contactStatus.optional(), ...pageParams, companyId })
  .strict();
export type CustomerListQuery = z.infer<typeof CustomerListQuery>;

export const ByPhoneQuery = z
  .object({ phone: z.string().trim().min(3).max(50), contactStatus: contactStatus.optional(), ...pageParams, companyId })
  .strict();
export type ByPhoneQuery = z.infer<typeof ByPhoneQuery>;

const fullName = z.string({ message: 'fullName must be a string' }).trim().min(1, 'fullName is required').max(100);
const phone = z.string({ message: 'phone must be a string' }).trim().min(1, 'phone is required').max(50);
const notes = z.string({ message: 'notes must be a string' }).trim().max(1000, 'notes must be at most 1000 characters');
const socialId = z.string({ message: 'must be a string' }).trim().min(1).max(100);
/** `""` or null: no value (the booking wizard sends an empty email). */
const blankAsNull = (v: unknown) => (v === '' ? null : v);

export const CustomerCreateBody = z
  .object({
    fullName,
    phone,
    email: z.preprocess(blankAsNull, email.nullable()).optional(),
    notes: notes.optional(),
    social: z
      .object({ facebookId: socialId.optional(), instagramId: socialId.optional(), whatsapp: socialId.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type CustomerCreateBody = z.infer<typeof CustomerCreateBody>;

/** Null (or `""`) clears a field; social ids belong to the inbox and are not changed here. */
export const CustomerUpdateBody = z
  .object({
    fullName: fullName.optional(),
    phone: z.preprocess(blankAsNull, phone.nullable()).optional(),
    email: z.preprocess(blankAsNull, email.nullable()).optional(),
    notes: z.preprocess(blankAsNull, notes.nullable()).optional(),
  })
  .strict();
export type CustomerUpdateBody = z.infer<typeof CustomerUpdateBody>;

export const ConvertBody = z.object({}).strict();

/** 400 MISSING_FIELDS when the wizard's two required fields are absent or empty [COMPAT]. */
export const customerPrecheck: RequestHandler = (req, _res, next) => {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (!body.fullName || !body.phone) next(new AppError(400, 'MISSING_FIELDS', 'fullName and phone are required'));
  else next();
};

/** 400 MISSING_PHONE when `phone` is absent or shorter than 3 characters [COMPAT]. */
export const byPhonePrecheck: RequestHandler = (req, _res, next) => {
  const phone = (req.query as Record<string, unknown>).phone;
  if (phone === undefined || (typeof phone === 'string' && phone.trim().length < 3)) {
    next(new AppError(400, 'MISSING_PHONE', 'phone query is required (min 3 chars)'));
  } else next();
};
