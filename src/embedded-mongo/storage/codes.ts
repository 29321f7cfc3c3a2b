/**
 * MongoDB error codes used by views, validators and collection options that the shared table
 * (../errors.ts) does not name; the reply carries MongoDB's codeName for them all the same.
 */
import { MongoCommandError } from '../errors';

const CODES = {
  GraphContainsCycle: 5,
  CommandNotSupported: 115,
  DocumentValidationFailure: 121,
  ViewDepthLimitExceeded: 165,
  CommandNotSupportedOnView: 166,
  OptionNotSupportedOnView: 167,
  InvalidIndexSpecificationOption: 197,
  QueryFeatureNotAllowed: 224,
  CannotConvertIndexToUnique: 359,
} as const;

export type CatalogCode = keyof typeof CODES;

export function catalogError(name: CatalogCode, message: string, extra: Record<string, unknown> = {}): MongoCommandError {
  return new MongoCommandError(CODES[name], message, { extra: { codeName: name, ...extra } });
}
