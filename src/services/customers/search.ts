/**
 * The customer search as one MongoDB filter served by the {companyId, searchKeys, contactStatus}
 * index: every word of the query must start a word of the name or email (or be a whole social
 * id), or the query's digits must start the phone number. Contacts without keys (written before
 * the keys existed, or by a writer that changed a searched field without them) are found through
 * the index's null entry and matched by substring, as the original did.
 */
import type { CountryCode } from 'libphonenumber-js';
import { searchWords } from '../../models/Contact';
import { escapeRegex } from '../../utils/regex';
import { phoneQueryKeys } from './phone.service';

type Filter = Record<string, unknown>;

const TEXT_FIELDS = ['fullName', 'email', 'phone', 'social.facebookId', 'social.instagramId', 'social.whatsapp'];
const PHONE_FIELDS = ['phone', 'phoneE164', 'social.whatsapp'];
/** Only what a phone number is written with (digits, spaces, + - . / and brackets). */
const PHONE_LIKE = /^[\d\s+\-()./]+$/;

/** Keys found by the index; key-less contacts (the null entry) by the `slow` condition. */
function keyed(lookup: string[], match: Filter, slow: Filter): Filter {
  return { searchKeys: { $in: [...lookup, null] }, $or: [match, { searchKeys: null, ...slow }] };
}

/** The filter for a typed (possibly partial) phone number; null when it cannot match anything. */
export function phoneFilter(input: string, country: CountryCode | undefined): Filter | null {
  const keys = phoneQueryKeys(input, country);
  if (keys.length === 0) return null;
  // The digits in order, anything between them: "555 123" finds "+1 (555) 123-…".
  const digits = new RegExp(input.replace(/\D/g, '').split('').join('\\D*'));
  return keyed(keys, { searchKeys: { $in: keys } }, { $or: PHONE_FIELDS.map((f) => ({ [f]: digits })) });
}

/**
 * The filter for the list's `q`: a phone number, or words; null when it cannot match anything.
 * The company's country is only looked up for a phone number.
 */
export async function searchFilter(q: string, country: () => Promise<CountryCode | undefined>): Promise<Filter | null> {
  if (PHONE_LIKE.test(q) && q.replace(/\D/g, '').length >= 3) return phoneFilter(q, await country());
  const words = [...new Set(searchWords(q))];
  if (words.length === 0) return null;
  // The longest word is the most selective lookup; the others are checked on what it finds.
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
  const substrings = words.map((w) => {
    const re = new RegExp(escapeRegex(w), 'i');
    return { $or: TEXT_FIELDS.map((f) => ({ [f]: re })) };
  });
  return keyed([longest], { searchKeys: { $all: words } }, { $and: substrings });
}
