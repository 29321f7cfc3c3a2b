/**
 * Customers' phone numbers, read with libphonenumber-js: a number without a +country code is read
 * in the company's country (`company.country`, else the country of its time zone; with neither,
 * only international numbers are accepted), stored as E.164 for matching and in the international
 * format for display, and turned into the digit keys the customer search looks up.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Types } from 'mongoose';
import { Company } from '../../models/Company';
import { AppError } from '../../utils/errors';
import { countryOfZone } from '../../utils/timezoneCountry';

export interface NormalizedPhone {
  /** `+995555123456`: unique per company, what de-duplication compares. */
  e164: string;
  /** `+995 555 12 34 56`: what staff see. */
  display: string;
}

const supported = (code: string | undefined): code is CountryCode => Boolean(code && isSupportedCountry(code));

/** The country local numbers of this company are read in, if it has one. */
export async function companyPhoneCountry(companyId: Types.ObjectId): Promise<CountryCode | undefined> {
  // Read defensively: `country` is optional and older companies do not have it.
  const company = await Company.findById(companyId, { country: 1, timezone: 1 }).lean<{ country?: unknown; timezone?: unknown }>();
  const own = typeof company?.country === 'string' ? company.country.trim().toUpperCase() : undefined;
  if (supported(own)) return own;
  const ofZone = typeof company?.timezone === 'string' ? countryOfZone(company.timezone) : undefined;
  return supported(ofZone) ? ofZone : undefined;
}

/** The number in E.164 and for display, or 400 INVALID_PHONE saying how it is read. */
export function normalizePhone(input: string, country: CountryCode | undefined): NormalizedPhone {
  const parsed = parsePhoneNumberFromString(input.trim(), country ? { defaultCountry: country } : {});
  if (!parsed?.isValid()) {
    const how = country
      ? `numbers without a +country code are read as ${country} numbers`
      : 'the company has no country, so the number needs its +country code';
    throw new AppError(400, 'INVALID_PHONE', `phone is not a valid phone number (${how})`, { field: 'phone' });
  }
  return { e164: parsed.number, display: parsed.formatInternational() };
}

/**
 * The search keys a typed (possibly partial) number may match: its digits as typed, without an
 * international 00 or a trunk 0, and, when it reads as a number of the company's country, its
 * E.164 digits and national number. Fewer than 3 digits match nothing.
 */
export function phoneQueryKeys(input: string, country: CountryCode | undefined): string[] {
  const digits = input.replace(/\D/g, '');
  if (digits.length < 3) return [];
  const keys = new Set([digits, digits.replace(/^00/, ''), digits.replace(/^0+/, '')]);
  const parsed = parsePhoneNumberFromString(input, country ? { defaultCountry: country } : {});
  if (parsed?.isPossible()) {
    keys.add(parsed.number.slice(1));
    keys.add(parsed.nationalNumber);
  }
  return [...keys].filter((k) => k.length >= 3);
}
