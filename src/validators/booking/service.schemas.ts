/**
 * Services (service categories, C1-C4 and CS1-CS6) and their priced variants (service items,
 * C5-C10). The contract's coded 400s come from the prechecks, in the contract's order; unknown
 * body keys (`_id`, `serviceId`, `companyId`) are dropped, never written.
 */
import { z } from 'zod';
import { COAT_TYPES, ITEM_SIZES, SERVICE_SPECIES, STAFF_ROLES } from '../../models/constants';
import { MAX_SERVICE_MINUTES } from '../../models/ServiceItem';
import { objectId, staffRole } from '../common.schemas';
import { type Body, badRequest, isAbsent, isObject, isObjectIdString, precheck } from './catalogue.schemas';

// ---- Service categories

const SERVICE_COLOR = /^#[0-9A-Fa-f]{6}$/;
const ROLES_TEXT = 'manager, groomer, veterinarian, vet_technician, trainer, receptionist';

export const ServiceListQuery = z.object({
  q: z.string().trim().max(100).optional(),
  /** Exact match [COMPAT]: `dog` does not return `dog&cat` services. */
  species: z.enum(SERVICE_SPECIES).optional(),
  /** Absent: active and inactive services. */
  active: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
});
export type ServiceListQuery = z.infer<typeof ServiceListQuery>;

const allowedRoles = z
  .array(staffRole)
  .min(1)
  .max(STAFF_ROLES.length * 2)
  .transform((r) => [...new Set(r)]);

export const ServiceCreateBody = z.object({
  name: z.string().trim().min(1).max(100),
  species: z.enum(SERVICE_SPECIES),
  description: z.string().trim().max(500).nullish(),
  requiresBath: z.boolean().optional(),
  active: z.boolean().optional(),
  color: z.union([z.string().regex(SERVICE_COLOR), z.literal(''), z.null()]).optional(),
  allowedRoles: allowedRoles.optional(),
});
export type ServiceCreateBody = z.infer<typeof ServiceCreateBody>;

/** An empty (or null) description or color removes it. */
export const ServiceUpdateBody = ServiceCreateBody.partial();
export type ServiceUpdateBody = z.infer<typeof ServiceUpdateBody>;

/**
 * C2/C3, CS4/CS5 [COMPAT codes]: MISSING_FIELDS, INVALID_SPECIES, INVALID_ALLOWED_ROLES,
 * INVALID_COLOR. Always the standard envelope, also on the `{message}` company routes (contract §3.4.2).
 */
export const servicePrecheck = (mode: 'create' | 'update') =>
  precheck((b) => {
    if (mode === 'create' && (typeof b.name !== 'string' || b.name.trim() === '' || isAbsent(b.species))) {
      throw badRequest('MISSING_FIELDS', 'name and species are required', 'E1');
    }
    if (b.species !== undefined && !(SERVICE_SPECIES as readonly unknown[]).includes(b.species)) {
      throw badRequest('INVALID_SPECIES', `species must be one of: ${SERVICE_SPECIES.join(', ')}`, 'E1');
    }
    if (b.allowedRoles !== undefined) {
      if (!Array.isArray(b.allowedRoles) || b.allowedRoles.length === 0) {
        throw badRequest('INVALID_ALLOWED_ROLES', 'allowedRoles must be a non-empty array', 'E1');
      }
      const invalid = b.allowedRoles.filter((r) => !(STAFF_ROLES as readonly unknown[]).includes(r));
      if (invalid.length > 0) {
        throw badRequest('INVALID_ALLOWED_ROLES', `Invalid roles: ${invalid.map(String).join(', ')}. Allowed roles: ${ROLES_TEXT}`, 'E1');
      }
    }
    if (b.color && (typeof b.color !== 'string' || !SERVICE_COLOR.test(b.color))) {
      throw badRequest('INVALID_COLOR', 'color must be a valid hex color code (e.g., #6366f1)', 'E1');
    }
  });

// ---- Service items (variants)

const RANGE_TEXT = `between 10 and ${MAX_SERVICE_MINUTES}`;
const COATS = [...COAT_TYPES, 'all'] as const;

/** `Number()` of a number or a numeric string, as the original read prices and durations. */
const numeric = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);
const toNumber = (v: unknown): number => {
  const n = numeric(v);
  return typeof n === 'number' ? n : Number.NaN;
};
const inMinutesRange = (n: number): boolean => Number.isFinite(n) && n >= 10 && n <= MAX_SERVICE_MINUTES;

/** The item's duration when none is given: the sum of its resources' durations. */
export function resourceMinutes(resources: readonly { durationMinutes: number }[] | undefined): number {
  return (resources ?? []).reduce((sum, r) => sum + r.durationMinutes, 0);
}

const RequiredResource = z.object({
  resourceTypeId: objectId,
  quantity: z.number().int().min(1).max(1000).default(1),
  durationMinutes: z.number().min(10).max(MAX_SERVICE_MINUTES),
});

const itemFields = {
  size: z.enum(ITEM_SIZES),
  price: z.preprocess(numeric, z.number().finite().min(0)),
  coatType: z.preprocess((v) => (isAbsent(v) ? undefined : v), z.enum(COATS).optional()),
  /** Not a finite number: absent (derived from the resources on create). */
  durationMinutes: z.preprocess((v) => (Number.isFinite(toNumber(v)) ? toNumber(v) : undefined), z.number().optional()),
  label: z.string().trim().max(50, 'label must be at most 50 characters').nullish(),
  requiredResources: z.preprocess((v) => (v === null ? undefined : v), z.array(RequiredResource).max(20).optional()),
};

/** Size `all` is stored as `all` (B-7); a missing coatType is `all` (B-8); `active` is not taken on create [COMPAT]. */
export const ServiceItemCreateBody = z
  .object({
    size: itemFields.size,
    price: itemFields.price,
    coatType: itemFields.coatType.transform((v) => v ?? 'all'),
    durationMinutes: itemFields.durationMinutes,
    label: itemFields.label,
    requiredResources: itemFields.requiredResources,
  })
  .transform((b) => ({ ...b, durationMinutes: b.durationMinutes ?? resourceMinutes(b.requiredResources) }));
export type ServiceItemCreateBody = z.infer<typeof ServiceItemCreateBody>;

/** Only these fields change; the item's company and service never do. */
export const ServiceItemUpdateBody = z
  .object({
    size: itemFields.size.optional(),
    price: itemFields.price.optional(),
    coatType: itemFields.coatType,
    durationMinutes: itemFields.durationMinutes,
    label: itemFields.label,
    active: z.boolean().optional(),
    requiredResources: itemFields.requiredResources,
  })
  .transform((b) =>
    b.durationMinutes === undefined && b.requiredResources?.length ? { ...b, durationMinutes: resourceMinutes(b.requiredResources) } : b,
  );
export type ServiceItemUpdateBody = z.infer<typeof ServiceItemUpdateBody>;

function checkRequiredResources(list: unknown): number {
  if (!Array.isArray(list)) throw badRequest('INVALID_REQUIRED_RESOURCES', 'requiredResources must be an array');
  let minutes = 0;
  for (const r of list as unknown[]) {
    const entry: Body = isObject(r) ? r : {};
    if (isAbsent(entry.resourceTypeId)) {
      throw badRequest('INVALID_REQUIRED_RESOURCES', 'resourceTypeId is required in each requiredResources entry');
    }
    if (!isObjectIdString(entry.resourceTypeId)) throw badRequest('INVALID_REQUIRED_RESOURCES', 'resourceTypeId must be a valid id');
    const q = entry.quantity;
    if (q !== undefined && (typeof q !== 'number' || !Number.isInteger(q) || q < 1)) {
      throw badRequest('INVALID_RESOURCE_QUANTITY', 'quantity must be a whole number >= 1');
    }
    if (typeof entry.durationMinutes !== 'number' || !inMinutesRange(entry.durationMinutes)) {
      throw badRequest('INVALID_RESOURCE_DURATION', `durationMinutes must be ${RANGE_TEXT}`);
    }
    minutes += entry.durationMinutes;
  }
  return minutes;
}

/**
 * C6/C7 [COMPAT codes], in the contract's order: MISSING_FIELDS → INVALID_PRICE → the
 * requiredResources codes → INVALID_DURATION → INVALID_SIZE → INVALID_COAT_TYPE.
 */
export const serviceItemPrecheck = (mode: 'create' | 'update') =>
  precheck((b) => {
    if (mode === 'create' && (isAbsent(b.size) || b.price === undefined)) throw badRequest('MISSING_FIELDS', 'size and price are required');
    if (b.price !== undefined && !(Number.isFinite(toNumber(b.price)) && toNumber(b.price) >= 0))
      throw badRequest('INVALID_PRICE', 'price must be a non-negative number');
    const fromResources = isAbsent(b.requiredResources) ? undefined : checkRequiredResources(b.requiredResources);
    const given = mode === 'create' ? Number.isFinite(toNumber(b.durationMinutes)) : !isAbsent(b.durationMinutes);
    if (given && !inMinutesRange(toNumber(b.durationMinutes))) {
      throw badRequest('INVALID_DURATION', `durationMinutes must be ${RANGE_TEXT}`);
    }
    if (!given && mode === 'create' && !inMinutesRange(fromResources ?? 0)) {
      throw badRequest('INVALID_DURATION', `durationMinutes is required (${RANGE_TEXT}) or derive it from requiredResources`);
    }
    if (!given && mode === 'update' && fromResources && !inMinutesRange(fromResources)) {
      throw badRequest('INVALID_DURATION', `Derived durationMinutes from requiredResources must be ${RANGE_TEXT}`);
    }
    if ((mode === 'create' || b.size !== undefined) && !(ITEM_SIZES as readonly unknown[]).includes(b.size)) {
      throw badRequest('INVALID_SIZE', `size must be one of: ${ITEM_SIZES.join(', ')}`);
    }
    if (!isAbsent(b.coatType) && !(COATS as readonly unknown[]).includes(b.coatType)) {
      throw badRequest('INVALID_COAT_TYPE', `coatType must be one of: ${COATS.join(', ')}`);
    }
  });
