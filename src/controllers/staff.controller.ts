/** /api/v1/catalog/staff handlers. Keys follow the contract: `id` on create, `_id` on list and update. */
import type { RequestHandler } from 'express';
import { currentUser } from '../middleware/auth';
import { valid } from '../middleware/validate';
import type { StaffService } from '../services/staff.service';
import { IdParams } from '../validators/common.schemas';
import { StaffCreateBody, StaffListQuery, StaffUpdateBody } from '../validators/staff.schemas';
import { asyncHandler } from './asyncHandler';

export function staffController(staff: StaffService): Record<'list' | 'create' | 'update' | 'remove', RequestHandler> {
  return {
    list: asyncHandler(async (_req, res) => {
      res.json({ items: await staff.list(currentUser(res).companyObjectId, valid(res, 'query', StaffListQuery)) });
    }),
    create: asyncHandler(async (_req, res) => {
      res.status(201).json({ user: await staff.create(currentUser(res).companyObjectId, valid(res, 'body', StaffCreateBody)) });
    }),
    update: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      res.json({ user: await staff.update(currentUser(res).companyObjectId, id, valid(res, 'body', StaffUpdateBody)) });
    }),
    remove: asyncHandler(async (_req, res) => {
      await staff.remove(currentUser(res).companyObjectId, valid(res, 'params', IdParams).id);
      res.json({ message: 'Staff deleted' });
    }),
  };
}
