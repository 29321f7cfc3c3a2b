/**
 * Request bodies and queries for the HTTP fuzz. Bodies are JSON text (so that they can hold what
 * JSON.stringify never writes: duplicate keys, 1e309, thousands of levels). Most are shaped like
 * the route's request (the field groups of the validators, chosen by path), with fields that are
 * plausible most of the time (the caller's own ids, valid enums) and hostile otherwise, so that
 * random requests also get past validation into the services; the rest are shapeless. Every body
 * prints as a short preview, so a counterexample of a megabyte stays readable.
 */
import fc from 'fast-check';
import { STAFF_ROLES } from '../../models/constants';
import { DIRECTIONS, MESSAGE_ROLES, PLATFORMS } from '../../models/Message';
import { anyText, FIELDS, jsonish, key, ODD_NUMBERS, queryPairs, scalar, wellFormedText, type Planted } from './arbitraries';
import type { MountedRoute } from './support';

export interface FuzzBody {
  label: string;
  bytes: string | Buffer;
  type: string;
}

function preview(bytes: string | Buffer): string {
  const s = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  return s.length <= 160 ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, 120))}… (${s.length} chars)`;
}

export function fuzzBody(label: string, bytes: string | Buffer, type = 'application/json'): FuzzBody {
  return { label, bytes, type, [fc.toStringMethod]: () => `${label} ${preview(bytes)}` } as FuzzBody;
}

/** `depth` levels of arrays or objects (under a known key), written as text: no recursion needed. */
export function deepJson(depth: number, kind: 'array' | 'object', field = 'company_id'): string {
  const [open, close] = kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
  return `{"${field}":${open.repeat(depth)}1${close.repeat(depth)}}`;
}

/** The field groups of the validators, and the routes (`METHOD /path`) each is for. */
const SHAPES: [RegExp, string[]][] = [
  [/register/, ['company', 'user']],
  [/login/, ['email', 'password']],
  [/refresh|logout/, ['refreshToken']],
  [/^GET .*staff/, ['role', 'q', 'locationId', 'serviceProvider', 'serviceCategoryId']],
  [/staff/, ['fullName', 'email', 'password', 'role', 'roles', 'phone', 'color', 'locationIds', 'primaryLocationId', 'isActive']],
  [/locations/, ['label', 'address', 'phone', 'timezone', 'isMain', 'workHours', 'holidays']],
  [/toggle-bot/, ['contactId', 'botSuspended', 'botSuspendUntil', 'contactType']],
  [/emit-message/, ['companyId', 'conversationId', 'message']],
  [
    /internal\/messages/,
    ['company_id', 'platform', 'external_message_id', 'direction', 'content', 'created_at', 'contact_id', 'customer_social_id', 'profile'],
  ],
  [/mark-read/, ['contact_id', 'contactId', 'platform']],
  [/list-by-customer|conversations\/messages|^GET \S+messages$/, ['contact_id', 'contactId', 'platform', 'limit', 'skip', 'before']],
  [/company-customers|instagram|conversations\/list/, ['company_id', 'platform', 'limit', 'skip']],
  [/get-by-id|update|delete|^(PATCH|DELETE) \S+messages$/, ['_id', 'content', 'attachments', 'read']],
  [/^POST \S+messages$/, ['company_id', 'contact_id', 'role', 'platform', 'direction', 'content', 'external_message_id', 'attachments']],
];

/** The fields a route's requests carry (none known: an empty shape, and only the other bodies). */
export function shapeOf(route: MountedRoute): string[] {
  return SHAPES.find(([re]) => re.test(`${route.method} ${route.path}`))?.[1] ?? [];
}

const isoDate = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
const email = fc.oneof(fc.emailAddress(), fc.constantFrom('Mia@Example.com ', 'a@b', '@', 'x'.repeat(300) + '@example.com'));

/** A value each known field accepts (or nearly). */
function plausible(p: Planted): Record<string, fc.Arbitrary<unknown>> {
  const own = (id: string) => fc.constantFrom(id, id.toUpperCase());
  return {
    company: fc.record({
      name: wellFormedText,
      email,
      timezone: fc.constantFrom('Europe/London', 'UTC', 'Mars/Olympus'),
      businessTypes: fc.constantFrom(['grooming'], ['vet', 'grooming'], ['unknown']),
      locations: fc.constant([{ label: 'Main', address: '1 High Street', isMain: true }]),
    }),
    user: fc.record({ fullName: wellFormedText, email, password: fc.constantFrom('Str0ngPass', 'short') }),
    email,
    password: fc.constantFrom('Passw0rd!ok', 'Str0ngPass', 'é'.repeat(40)),
    refreshToken: fc.oneof(anyText, fc.constant('a.b.c')),
    fullName: wellFormedText,
    role: fc.constantFrom(...STAFF_ROLES, ...MESSAGE_ROLES),
    roles: fc.subarray([...STAFF_ROLES]),
    phone: fc.constantFrom('+441234567890', '12'),
    color: fc.constantFrom('#6B7280', '#zzz'),
    locationIds: fc.constant([p.locationId]),
    primaryLocationId: own(p.locationId),
    isActive: fc.boolean(),
    label: wellFormedText,
    address: wellFormedText,
    timezone: fc.constantFrom('Europe/London', 'Nowhere/Nothing'),
    isMain: fc.boolean(),
    workHours: fc.array(
      fc.record({ weekday: fc.integer({ min: -1, max: 7 }), startTime: fc.constant('09:00'), endTime: fc.constant('25:99') }),
      {
        maxLength: 3,
      },
    ),
    holidays: fc.array(fc.oneof(isoDate, anyText), { maxLength: 3 }),
    company_id: own(p.companyId),
    companyId: own(p.companyId),
    contact_id: own(p.contactId),
    contactId: own(p.contactId),
    conversationId: own(p.contactId),
    _id: own(p.messageId),
    platform: fc.constantFrom(...PLATFORMS, 'all'),
    direction: fc.constantFrom(...DIRECTIONS),
    content: anyText,
    external_message_id: anyText,
    customer_social_id: anyText,
    created_at: isoDate,
    attachments: fc.array(
      fc.record({
        url: fc.constantFrom('https://example.com/a.png', 'javascript:alert(1)', 'http://'),
        type: fc.constantFrom('image', 'file'),
      }),
      { maxLength: 12 },
    ),
    limit: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 200 }), weight: 3 }, fc.integer({ min: -5, max: 500 })),
    skip: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 1_000_000 }), weight: 3 }, fc.integer({ min: -5, max: 2_000_000 })),
    before: fc.oneof(own(p.messageId), isoDate, anyText),
    read: fc.boolean(),
    botSuspended: fc.boolean(),
    botSuspendUntil: fc.oneof(fc.constant(null), isoDate, anyText),
    contactType: fc.constantFrom('lead', 'customer', 'x'.repeat(30)),
    message: fc.record({ id: own(p.messageId), contactId: own(p.contactId), direction: fc.constantFrom(...DIRECTIONS), content: anyText }),
    profile: fc.record({ name: anyText, picture: fc.constant('https://example.com/p.png'), locale: anyText }),
    q: anyText,
    locationId: own(p.locationId),
    serviceProvider: fc.constantFrom('true', 'false', 'maybe'),
    serviceCategoryId: own(p.serviceCategoryId),
  };
}

/** The fields of a shape, each plausible (10 in 12), hostile (1 in 12) or left out (1 in 12). */
function shaped(planted: Planted, shape: string[]): fc.Arbitrary<Record<string, unknown>> {
  const values = plausible(planted);
  const hostile = jsonish(planted);
  const field = (f: string) =>
    fc.oneof(
      { arbitrary: values[f] ?? hostile, weight: 10 },
      { arbitrary: hostile, weight: 1 },
      { arbitrary: fc.constant(undefined), weight: 1 },
    );
  return fc.record(Object.fromEntries(shape.map((f) => [f, field(f)])));
}

/** encodeURIComponent, but a lone surrogate becomes its three (invalid UTF-8) bytes instead of an error. */
function percentEncoded(s: string): string {
  return Array.from(s, (ch) => {
    const c = ch.charCodeAt(0);
    if (ch.length > 1 || c < 0xd800 || c > 0xdfff) return encodeURIComponent(ch);
    return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  }).join('');
}

/** A query string: the route's fields (as text) mixed with random parameters, possibly empty. */
export function queryString(planted: Planted, shape: string[]): fc.Arbitrary<string> {
  const part = (s: string) => percentEncoded(s).replace(/%5B/g, '[').replace(/%5D/g, ']');
  const text = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
  return fc
    .tuple(shaped(planted, shape), queryPairs(planted), fc.boolean())
    .map(([fields, random, withFields]) => [
      ...(withFields ? Object.entries(fields).filter(([, v]) => v !== undefined) : []).map(([k, v]): [string, string] => [k, text(v)]),
      ...random,
    ])
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${part(k)}=${part(v)}`).join('&')}`));
}

/** Random JSON texts: mostly the route's shape, the others far from what it expects. */
export function jsonBody(planted: Planted, shape: string[]): fc.Arbitrary<FuzzBody> {
  const value = jsonish(planted);
  const field = fc.constantFrom(...FIELDS);
  return fc.oneof(
    { arbitrary: shaped(planted, shape).map((o) => fuzzBody('shaped', JSON.stringify(o))), weight: 8 },
    { arbitrary: fc.dictionary(key, value, { maxKeys: 8 }).map((o) => fuzzBody('object', JSON.stringify(o))), weight: 3 },
    fc.array(value, { maxLength: 4 }).map((a) => fuzzBody('array', JSON.stringify(a))),
    scalar(planted).map((v) => fuzzBody('scalar', JSON.stringify(v) ?? 'null')),
    fc
      .tuple(fc.integer({ min: 100, max: 6000 }), fc.constantFrom('array' as const, 'object' as const), field)
      .map(([depth, kind, f]) => fuzzBody(`${depth} levels of ${kind}s`, deepJson(depth, kind, f))),
    fc
      .tuple(
        fc.integer({ min: 10_000, max: 1_000_000 }),
        fc.constantFrom('a', 'é', '😀', '\u0000', '\ud800'),
        fc.oneof(field, fc.constant('')),
      )
      .map(([size, unit, f]) => {
        // About `size` characters of JSON text: the value of a known field, or (no field) a key.
        const huge = JSON.stringify(unit.repeat(Math.ceil(size / (JSON.stringify(unit).length - 2))));
        return fuzzBody(`a ${huge.length}-char string`, f ? `{"${f}":${huge}}` : `{${huge}:1}`);
      }),
    fc
      .tuple(field, scalar(planted), value)
      .map(([k, a, b]) => fuzzBody('duplicate keys', `{"${k}":${JSON.stringify(a) ?? 1},"${k}":${JSON.stringify(b) ?? 2}}`)),
    fc.tuple(field, fc.constantFrom(...ODD_NUMBERS)).map(([k, n]) => fuzzBody('an odd number', `{"${k}":${n},"limit":${n},"skip":${n}}`)),
    value.map((v) =>
      fuzzBody('prototype keys', `{"__proto__":{"role":"manager","isAdmin":true},"constructor":{"prototype":${JSON.stringify(v) ?? 1}}}`),
    ),
  );
}
