/**
 * The company profile a caller may change (GET/PUT /company[/:companyId], POST /settings/company):
 * only the documented fields; never status, bot, integration or ids (S2, S15). The coded checks
 * of the fields people get wrong run first (`profilePrecheck`), so they read as the contract's
 * messages in either envelope; the schema then parses types and refuses unknown keys.
 */
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../models/constants';
import { isValidZone } from '../../services/booking/time';
import { isCountryCode } from '../../utils/timezoneCountry';
import { type Body, badRequest, isObject, precheck } from '../booking/catalogue.schemas';
import { WorkHoursBody, workHoursPrecheck } from '../booking/schedule.schemas';
import { email } from '../common.schemas';

export { CompanyParams, PageQuery } from '../booking/catalogue.schemas';

/** The original's email rule, checked first for its message [COMPAT]. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const isZone = (v: unknown): boolean => typeof v === 'string' && isValidZone(v);
const isCurrency = (v: unknown): boolean => typeof v === 'string' && CURRENCIES.has(v.trim().toUpperCase());
const isCountry = (v: unknown): boolean => typeof v === 'string' && isCountryCode(v.trim().toUpperCase());

export const ZONE_MESSAGE = 'timezone must be an IANA time zone such as Europe/London';

/** Free text that may be cleared: a string ('' or null removes it). */
const text = (max: number) => z.string().trim().max(max).nullable();
const upper = (v: string) => v.trim().toUpperCase();

const PaymentMethod = z
  .object({
    // The dashboard sends back what it loaded; the old sub-document id is dropped (the list is replaced).
    _id: z.unknown().optional(),
    bankName: z.string().trim().max(200).optional(),
    accountNumber: z.string().trim().max(100).optional(),
    accountName: z.string().trim().max(200).optional(),
    sortCode: z.string().trim().max(50).optional(),
    swiftCode: z.string().trim().max(50).optional(),
    iban: z.string().trim().max(50).optional(),
    bic: z.string().trim().max(50).optional(),
    paypalEmail: z.string().trim().max(254).optional(),
  })
  .strict()
  .transform(({ _id, ...method }) => method);

/** A holiday: a date (`2026-12-25`) or an instant (`2026-12-25T00:00:00.000Z`), as the profile returns them. */
const Holiday = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v));

export const ProfileSettings = z
  .object({
    workHours: WorkHoursBody.shape.workHours.optional(),
    holidays: z.array(Holiday).max(366).optional(),
  })
  .strict();

const profileFields = {
  name: z.string().trim().min(1, 'name must not be empty').max(100),
  email,
  phone: text(30),
  website: text(500),
  address: text(500),
  timezone: z.string().trim().refine(isValidZone, ZONE_MESSAGE),
  mainCurrency: z.string().transform(upper).refine(isCurrency, 'mainCurrency must be an ISO 4217 code such as USD'),
  businessTypes: z
    .array(z.enum(BUSINESS_TYPES))
    .max(BUSINESS_TYPES.length * 2)
    .transform((types) => [...new Set(types)]),
  logo: text(2048),
  ringLogo: text(2048),
  registrationId: text(100),
  registrationName: text(200),
  paymentMethods: z.array(PaymentMethod).max(20),
  country: z.preprocess(
    (v) => (v === '' ? null : v),
    z.string().transform(upper).refine(isCountryCode, 'country must be an ISO 3166-1 alpha-2 code such as GE').nullable(),
  ),
  settings: ProfileSettings,
};

/** The changes a profile write may make (every field optional). */
export const ProfileChanges = z.object(profileFields).partial().strict();
export type ProfileChanges = z.infer<typeof ProfileChanges>;

/** PUT /company[/:companyId]: name and email are required, the rest optional (phone too, B45). */
export const ProfileBody = ProfileChanges.required({ name: true, email: true });
export type ProfileBody = z.infer<typeof ProfileBody>;

const hoursCheck = workHoursPrecheck();

/** settings.workHours follows the working-hours route's rules (weekday 0-6 once, H:mm, end after start). */
export function checkWorkHours(workHours: unknown): void {
  let problem: unknown;
  hoursCheck({ body: { workHours } } as Request, undefined as never, (err?: unknown) => (problem = err));
  if (problem) throw problem;
}

/** The coded 400s of a profile body, in the order a person would fix them. */
export function checkProfile(b: Body, requireNameAndEmail: boolean): void {
  if (requireNameAndEmail && (!b.name || !b.email)) throw badRequest('MISSING_FIELDS', 'Name and email are required');
  if (b.email !== undefined && (typeof b.email !== 'string' || !EMAIL_SHAPE.test(b.email.trim()))) {
    throw badRequest('INVALID_EMAIL', 'Invalid email format');
  }
  if (b.timezone !== undefined && !isZone(b.timezone)) throw badRequest('INVALID_TIMEZONE', ZONE_MESSAGE);
  if (b.mainCurrency !== undefined && !isCurrency(b.mainCurrency)) {
    throw badRequest('INVALID_CURRENCY', 'mainCurrency must be an ISO 4217 code such as USD');
  }
  if (b.businessTypes !== undefined) {
    const types = b.businessTypes;
    if (!Array.isArray(types) || types.some((t) => !(BUSINESS_TYPES as readonly unknown[]).includes(t))) {
      throw badRequest('INVALID_BUSINESS_TYPE', `businessTypes must be a list of: ${BUSINESS_TYPES.join(', ')}`);
    }
  }
  if (b.country !== undefined && b.country !== null && b.country !== '' && !isCountry(b.country)) {
    throw badRequest('INVALID_COUNTRY', 'country must be an ISO 3166-1 alpha-2 code such as GE');
  }
  if (isObject(b.settings) && b.settings.workHours !== undefined) checkWorkHours(b.settings.workHours);
}

export const profilePrecheck = (mode: 'replace' | 'change'): RequestHandler => precheck((b) => checkProfile(b, mode === 'replace'));
