/**
 * Resources (R1-R8) and resource types (T1-T4). Unknown body keys are dropped on purpose: the
 * dashboard sends `capacity`, `companyId` and `_id`, none of which is written.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { RESOURCE_SPECIES } from '../../models/constants';
import { RESOURCE_CATEGORIES } from '../../models/ResourceType';
import { objectId } from '../common.schemas';
import { badRequest, isAbsent, isObject, isObjectIdString, precheck } from './catalogue.schemas';

const SPECIES_TEXT = `species must be one or more of: ${RESOURCE_SPECIES.join(', ')}`;

const oneSpecies = z.enum(RESOURCE_SPECIES);
/** A single value or a list; stored as a list without repeats. */
const species = z
  .union([
    oneSpecies,
    z
      .array(oneSpecies)
      .min(1)
      .max(RESOURCE_SPECIES.length * 2),
  ])
  .transform((v) => [...new Set(Array.isArray(v) ? v : [v])]);

const label = z.string().trim().min(1, 'label is required').max(50, 'label must be at most 50 characters');

export const ResourceListQuery = z.object({ locationId: objectId.optional(), resourceTypeId: objectId.optional() });
export type ResourceListQuery = z.infer<typeof ResourceListQuery>;

export const ResourceCreateBody = z.object({
  resourceTypeId: objectId,
  label,
  locationId: z.preprocess((v) => (isAbsent(v) ? undefined : v), objectId.optional()),
  species: species.optional(),
  active: z.boolean().optional(),
});
export type ResourceCreateBody = z.infer<typeof ResourceCreateBody>;

/** `locationId` cannot be changed (contract R3); it is ignored like any other unknown key. */
export const ResourceUpdateBody = z.object({
  resourceTypeId: objectId.optional(),
  label: label.optional(),
  species: species.optional(),
  active: z.boolean().optional(),
});
export type ResourceUpdateBody = z.infer<typeof ResourceUpdateBody>;

/**
 * One of the dashboard's two resource clients posts `{companyId, resourceData:{…}}` (contract
 * §10.3): the fields are read from `resourceData` when it is there (sameCompany has already
 * checked the outer companyId).
 */
export function unwrapResourceData(): RequestHandler {
  return (req, _res, next) => {
    if (isObject(req.body) && isObject(req.body.resourceData)) req.body = req.body.resourceData;
    next();
  };
}

function isValidSpecies(v: unknown): boolean {
  const list = Array.isArray(v) ? v : [v];
  return list.length > 0 && list.every((s) => (RESOURCE_SPECIES as readonly unknown[]).includes(s));
}

/** R2/R6 [COMPAT codes]: MISSING_FIELDS, INVALID_RESOURCE_TYPE, INVALID_LOCATION, INVALID_SPECIES. */
export const resourcePrecheck = (mode: 'create' | 'update') =>
  precheck((b) => {
    if (mode === 'create' && (isAbsent(b.resourceTypeId) || typeof b.label !== 'string' || b.label.trim() === '')) {
      throw badRequest('MISSING_FIELDS', 'resourceTypeId and label are required');
    }
    if (b.resourceTypeId !== undefined && !isObjectIdString(b.resourceTypeId))
      throw badRequest('INVALID_RESOURCE_TYPE', 'Invalid resource type');
    if (mode === 'create' && !isAbsent(b.locationId) && !isObjectIdString(b.locationId)) {
      throw badRequest('INVALID_LOCATION', 'Invalid locationId for this company');
    }
    if (b.species !== undefined && !isValidSpecies(b.species)) throw badRequest('INVALID_SPECIES', SPECIES_TEXT);
  });

const category = z.enum(RESOURCE_CATEGORIES);

export const ResourceTypeListQuery = z.object({
  /** `all` or empty: every category. */
  category: z.union([category, z.literal('all'), z.literal('')]).optional(),
  includeResources: z
    .string()
    .optional()
    .transform((v) => v?.toLowerCase() === 'true'),
});
export type ResourceTypeListQuery = z.infer<typeof ResourceTypeListQuery>;

const typeFields = {
  name: z.string().trim().min(1, 'name is required').max(100),
  category,
  description: z.string().trim().max(500),
  color: z.string().trim().max(7),
  icon: z.string().trim().min(1).max(50),
  active: z.boolean(),
};

export const ResourceTypeCreateBody = z.object({
  name: typeFields.name,
  category: typeFields.category,
  description: typeFields.description.nullable().optional(),
  color: typeFields.color.optional(),
  icon: typeFields.icon.optional(),
  active: typeFields.active.optional(),
});
export type ResourceTypeCreateBody = z.infer<typeof ResourceTypeCreateBody>;

/** An empty (or null) description removes it. */
export const ResourceTypeUpdateBody = z.object({
  name: typeFields.name.optional(),
  category: typeFields.category.optional(),
  description: typeFields.description.nullable().optional(),
  color: typeFields.color.optional(),
  icon: typeFields.icon.optional(),
  active: typeFields.active.optional(),
});
export type ResourceTypeUpdateBody = z.infer<typeof ResourceTypeUpdateBody>;

/** T2/T3 [COMPAT codes]: MISSING_FIELDS, INVALID_CATEGORY; INVALID_COLOR where the original answered 500. */
export const resourceTypePrecheck = (mode: 'create' | 'update') =>
  precheck((b) => {
    if (mode === 'create' && (typeof b.name !== 'string' || b.name.trim() === '' || isAbsent(b.category))) {
      throw badRequest('MISSING_FIELDS', 'name and category are required');
    }
    if (b.category !== undefined && !(RESOURCE_CATEGORIES as readonly unknown[]).includes(b.category)) {
      throw badRequest('INVALID_CATEGORY', 'Invalid category');
    }
    if (b.color !== undefined && (typeof b.color !== 'string' || b.color.trim().length > 7)) {
      throw badRequest('INVALID_COLOR', 'color must be a colour code of at most 7 characters, like #6B7280');
    }
  });
