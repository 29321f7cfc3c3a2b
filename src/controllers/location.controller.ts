/** /api/v1/locations handlers. */
import type { RequestHandler } from 'express';
import { currentUser } from '../middleware/auth';
import { valid } from '../middleware/validate';
import type { LocationService } from '../services/location.service';
import { IdParams } from '../validators/common.schemas';
import { LocationCreateBody, LocationUpdateBody } from '../validators/location.schemas';
import { asyncHandler } from './asyncHandler';

export function locationController(locations: LocationService): Record<'list' | 'get' | 'create' | 'update' | 'remove', RequestHandler> {
  return {
    list: asyncHandler(async (_req, res) => {
      res.json({ items: await locations.list(currentUser(res).companyObjectId) });
    }),
    get: asyncHandler(async (_req, res) => {
      res.json({ location: await locations.get(currentUser(res).companyObjectId, valid(res, 'params', IdParams).id) });
    }),
    create: asyncHandler(async (_req, res) => {
      res.status(201).json({ location: await locations.create(currentUser(res).companyObjectId, valid(res, 'body', LocationCreateBody)) });
    }),
    update: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      res.json({ location: await locations.update(currentUser(res).companyObjectId, id, valid(res, 'body', LocationUpdateBody)) });
    }),
    remove: asyncHandler(async (_req, res) => {
      await locations.remove(currentUser(res).companyObjectId, valid(res, 'params', IdParams).id);
      res.json({ message: 'Location deleted' });
    }),
  };
}
