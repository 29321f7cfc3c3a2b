/**
 * The country of an IANA time zone (countries-and-timezones). Loaded through require: the
 * package's type declarations are ES-module only, which a CommonJS build refuses to import.
 */
import { createRequire } from 'node:module';

interface CountriesAndTimezones {
  getCountryForTimezone(zone: string): { id: string } | null;
  getCountry(id: string): { id: string } | null;
}

const lib = createRequire(__filename)('countries-and-timezones') as CountriesAndTimezones;

/** ISO 3166-1 alpha-2 code of the zone's country, or undefined (UTC, unknown zones). */
export function countryOfZone(zone: string | null | undefined): string | undefined {
  if (!zone) return undefined;
  return lib.getCountryForTimezone(zone)?.id ?? undefined;
}

/** Whether `code` is an ISO 3166-1 alpha-2 country code (upper case). */
export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && lib.getCountry(code) !== null;
}
