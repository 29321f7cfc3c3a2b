/**
 * The building blocks of what the hardening suites throw at the server (fast-check arbitraries):
 * hostile text and JSON values (operator and dotted keys, lone surrogates, odd scalars), path
 * params, query parameters, Socket.io event arguments and raw Engine.IO frames. HTTP bodies and
 * queries are built from these in ./requests.
 */
import fc from 'fast-check';

/** Field names the validators know: random values under them get past the first checks. */
export const FIELDS = [
  ...['company_id', 'companyId', 'contact_id', 'contactId', 'conversationId', 'messageIds', '_id', 'id', 'message'],
  ...['email', 'password', 'refreshToken', 'user', 'company', 'fullName', 'role', 'roles', 'phone', 'color', 'isActive'],
  ...['label', 'address', 'timezone', 'isMain', 'workHours', 'holidays', 'locationIds', 'primaryLocationId'],
  ...['content', 'platform', 'direction', 'limit', 'skip', 'before', 'attachments', 'read', 'external_message_id'],
  ...['customer_social_id', 'created_at', 'profile', 'botSuspended', 'botSuspendUntil', 'contactType'],
  ...['q', 'locationId', 'serviceProvider', 'serviceCategoryId'],
];
export const OPERATOR_KEYS = ['$gt', '$ne', '$where', '$regex', '$expr', '$in', '$or', '$function', '$set'];
const DOTTED_KEYS = ['a.b', 'profile.name', 'user.email', 'company_id.$ne', '$set.role', '.', '..'];
export const ODD_NUMBERS = ['1e309', '-1e309', '-0', '1e-400', '123456789012345678901234567890', '0.1e99999', '-9007199254740993', '1E2'];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Any code point, control characters and lone surrogates included. */
export const anyText = fc.string({
  unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate),
  maxLength: 30,
});
/** Well-formed unicode (what can go in a URL after encodeURIComponent). */
export const wellFormedText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });

/** Ids of real documents of the caller's company, planted so that random requests name them too. */
export interface Planted {
  companyId: string;
  locationId: string;
  serviceCategoryId: string;
  colleagueId: string;
  contactId: string;
  messageId: string;
}

/** A planted id, a random one, or a string that almost is one. */
export function idLike(planted: Planted): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...Object.values(planted)),
    fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Buffer.from(b).toString('hex')),
    fc.constantFrom('0'.repeat(24), 'F'.repeat(24), 'f'.repeat(23), 'a'.repeat(25), 'zzzzzzzzzzzzzzzzzzzzzzzz'),
  );
}

export function scalar(planted: Planted): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(null, true, false, 0, -1, '', ' ', 'null', 'undefined', '[object Object]'),
    fc.integer(),
    fc.double(),
    anyText,
    idLike(planted),
  );
}

export const key = fc.oneof(fc.constantFrom(...FIELDS), fc.constantFrom(...OPERATOR_KEYS), fc.constantFrom(...DOTTED_KEYS), anyText);

/** JSON values built from the known field names, operators, dotted keys and odd scalars. */
export function jsonish(planted: Planted): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar(planted),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    ),
  }));
  return value;
}

/** A path parameter, URL-encoded: ids of the caller's company, random ids, unicode, dots, long strings. */
export function pathParam(planted: Planted): fc.Arbitrary<string> {
  return fc
    .oneof(
      { arbitrary: idLike(planted), weight: 3 },
      wellFormedText,
      fc.constantFrom('.', '..', ' ', '$ne', 'null', 'undefined', '[object Object]', 'a'.repeat(5000)),
    )
    .map(encodeURIComponent);
}

const queryKey = fc.oneof(
  fc.constantFrom(...FIELDS),
  fc.constantFrom(...FIELDS).map((k) => `${k}[$gt]`),
  fc.constantFrom(...FIELDS).map((k) => `${k}[]`),
  fc.constantFrom('a[b][c][d][e][f][g]', '__proto__[role]', 'constructor[prototype][role]', 'limit[0]', 'a[999999]'),
  wellFormedText,
);

/** Random query parameters: known and unknown keys, bracket forms, operators; repeated keys come up on their own. */
export function queryPairs(planted: Planted): fc.Arbitrary<[string, string][]> {
  const value = fc.oneof(idLike(planted), wellFormedText, fc.constantFrom('', '1e309', '-1', 'true', 'all'));
  return fc.array(fc.tuple(queryKey, value), { maxLength: 6 });
}

/** One Socket.io event argument: every JSON type, functions (acks), binary, deep and big values. */
export function socketArg(planted: Planted): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: jsonish(planted), weight: 4 },
    fc.constantFrom(undefined, null, Number.NaN, Infinity, -0),
    fc.record({ conversationId: idLike(planted), messageIds: fc.array(idLike(planted), { maxLength: 3 }) }),
    fc.constant(() => undefined),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc.integer({ min: 10, max: 300 }).map((depth) => JSON.parse(`${'{"conversationId":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  );
}

/** The arguments of one emit: usually a few, sometimes very many small ones (all under Socket.io's 1 MB). */
export function socketArgs(planted: Planted): fc.Arbitrary<unknown[]> {
  const small = fc.oneof(fc.constantFrom(undefined, null, 0, '', {}), idLike(planted));
  return fc.oneof(
    { arbitrary: fc.array(socketArg(planted), { maxLength: 4 }), weight: 5 },
    { arbitrary: fc.array(small, { minLength: 50, maxLength: 200 }), weight: 1 },
  );
}

/** Raw Engine.IO text frames: a packet type, maybe a Socket.IO type and ack id, then anything. */
export const engineFrame: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '0', '1', '2', '3', '4', '40', '41', '42', '43', '44', '45', '46', '451-', '421', '5', '6', '7', '9'),
    fc.oneof(
      anyText,
      fc.jsonValue().map((v) => JSON.stringify(v)),
    ),
  )
  .map(([head, rest]) => head + rest);
