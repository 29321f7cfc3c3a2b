/** Request schemas of /api/v1/catalog/staff. */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { STAFF_ROLES } from '../models/constants';
import { AppError } from '../utils/errors';
import { email, hexColor, objectId, staffRole, strongPassword } from './common.schemas';

export const StaffListQuery = z
  .object({
    role: staffRole.optional(),
    q: z.string().trim().max(100).optional(),
    locationId: objectId.optional(),
    serviceProvider: z.enum(['true', 'false']).optional(),
    serviceCategoryId: objectId.optional(),
    // The dashboard sends its own companyId; sameCompany() has already checked it.
    companyId: z.string().optional(),
  })
  .strict();
export type StaffListQuery = z.infer<typeof StaffListQuery>;

const fields = {
  fullName: z.string().trim().min(1, 'fullName is required').max(100),
  email,
  roles: z.array(staffRole).min(1, 'roles must not be empty').max(STAFF_ROLES.length),
  role: staffRole,
  password: strongPassword,
  phone: z.string().trim().max(20),
  color: hexColor,
  locationIds: z.array(objectId).max(200),
  serviceCategoryIds: z.array(objectId).max(500),
};

export const StaffCreateBody = z
  .object({
    fullName: fields.fullName,
    email: fields.email,
    roles: fields.roles.optional(),
    role: fields.role.optional(),
    password: fields.password,
    phone: fields.phone.optional(),
    color: fields.color.optional(),
    locationIds: fields.locationIds.optional(),
    primaryLocationId: objectId.optional(),
    serviceCategoryIds: fields.serviceCategoryIds.optional(),
  })
  .strict();
export type StaffCreateBody = z.infer<typeof StaffCreateBody>;

export const StaffUpdateBody = z
  .object({
    fullName: fields.fullName.optional(),
    email: fields.email.optional(),
    roles: fields.roles.optional(),
    role: fields.role.optional(),
    password: fields.password.optional(),
    phone: fields.phone.optional(),
    color: fields.color.optional(),
    locationIds: fields.locationIds.optional(),
    primaryLocationId: objectId.nullable().optional(),
    serviceCategoryIds: fields.serviceCategoryIds.optional(),
    isActive: z.boolean().optional(),
  })
  .strict();
export type StaffUpdateBody = z.infer<typeof StaffUpdateBody>;

/** The contract's wording lists the roles in this order. */
const ALLOWED_ROLES_TEXT = 'receptionist, groomer, manager, veterinarian, vet_technician, trainer';

function rolesOf(body: Record<string, unknown>): unknown[] | undefined {
  if (Array.isArray(body.roles)) return body.roles;
  return body.role === undefined ? undefined : [body.role];
}

/**
 * The contract's own codes for the commonest mistakes, checked before the schema:
 * 400 MISSING_FIELDS and 400 INVALID_ROLE [COMPAT].
 */
export function staffPrecheck(mode: 'create' | 'update'): RequestHandler {
  return (req, _res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const roles = rolesOf(body);
    if (mode === 'create' && (!body.fullName || !body.email || !body.password || !roles || roles.length === 0)) {
      next(new AppError(400, 'MISSING_FIELDS', 'fullName, email, roles (or role), and password are required'));
      return;
    }
    if (roles) {
      const invalid = roles.filter((r) => !(STAFF_ROLES as readonly unknown[]).includes(r));
      if (invalid.length > 0 || roles.length === 0) {
        const message =
          roles.length === 0
            ? 'roles must not be empty'
            : `Invalid roles: ${invalid.map(String).join(', ')}. Allowed roles: ${ALLOWED_ROLES_TEXT}`;
        next(new AppError(400, 'INVALID_ROLE', message));
        return;
      }
    }
    next();
  };
}
