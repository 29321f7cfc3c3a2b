/** Resource (R1-R8) and resource type (T1-T4) handlers; envelopes per contract §4 [COMPAT]. */
import type { RequestHandler, Response } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { ResourceService } from '../../services/booking/resource.service';
import type { ResourceTypeService } from '../../services/booking/resourceType.service';
import {
  ResourceCreateBody,
  ResourceListQuery,
  ResourceTypeCreateBody,
  ResourceTypeListQuery,
  ResourceTypeUpdateBody,
  ResourceUpdateBody,
} from '../../validators/booking/resource.schemas';
import { IdParams } from '../../validators/common.schemas';
import { asyncHandler } from '../asyncHandler';

type Handlers = Record<'list' | 'create' | 'update' | 'remove', RequestHandler>;

/** Both mounts (`/catalog/resources`, `/company/:companyId/resources`) share these; `id` is the only param read. */
const idOf = (res: Response) => valid(res, 'params', IdParams).id;

export function resourceController(resources: ResourceService): Handlers {
  return {
    list: asyncHandler(async (_req, res) => {
      res.json({ items: await resources.list(currentUser(res).companyObjectId, valid(res, 'query', ResourceListQuery)) });
    }),
    create: asyncHandler(async (_req, res) => {
      res.status(201).json({ resource: await resources.create(currentUser(res).companyObjectId, valid(res, 'body', ResourceCreateBody)) });
    }),
    update: asyncHandler(async (_req, res) => {
      res.json({ resource: await resources.update(currentUser(res).companyObjectId, idOf(res), valid(res, 'body', ResourceUpdateBody)) });
    }),
    remove: asyncHandler(async (_req, res) => {
      res.json({ message: 'Resource deleted', resource: await resources.remove(currentUser(res).companyObjectId, idOf(res)) });
    }),
  };
}

export function resourceTypeController(types: ResourceTypeService): Handlers {
  return {
    list: asyncHandler(async (_req, res) => {
      res.json({ items: await types.list(currentUser(res).companyObjectId, valid(res, 'query', ResourceTypeListQuery)) });
    }),
    create: asyncHandler(async (_req, res) => {
      const resourceType = await types.create(currentUser(res).companyObjectId, valid(res, 'body', ResourceTypeCreateBody));
      res.status(201).json({ resourceType });
    }),
    update: asyncHandler(async (_req, res) => {
      res.json({
        resourceType: await types.update(currentUser(res).companyObjectId, idOf(res), valid(res, 'body', ResourceTypeUpdateBody)),
      });
    }),
    remove: asyncHandler(async (_req, res) => {
      res.json({ message: 'Resource type deleted', resourceType: await types.remove(currentUser(res).companyObjectId, idOf(res)) });
    }),
  };
}
