/** /api/v1/catalog/pets handlers: `{items}` lists, `{pet}` objects [COMPAT envelopes]. */
import type { RequestHandler } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { PetService } from '../../services/customers/pet.service';
import { IdParams } from '../../validators/common.schemas';
import { PetCreateBody, PetListQuery, PetUpdateBody } from '../../validators/customers/pet.schemas';
import { asyncHandler } from '../asyncHandler';

export function petController(pets: PetService): Record<'list' | 'get' | 'create' | 'update' | 'remove', RequestHandler> {
  const company = (res: Parameters<RequestHandler>[1]) => currentUser(res).companyObjectId;
  return {
    list: asyncHandler(async (_req, res) => {
      res.json(await pets.list(company(res), valid(res, 'query', PetListQuery)));
    }),
    get: asyncHandler(async (_req, res) => {
      res.json({ pet: await pets.get(company(res), valid(res, 'params', IdParams).id) });
    }),
    create: asyncHandler(async (_req, res) => {
      res.status(201).json({ pet: await pets.create(company(res), valid(res, 'body', PetCreateBody)) });
    }),
    update: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      res.json({ pet: await pets.update(company(res), id, valid(res, 'body', PetUpdateBody)) });
    }),
    remove: asyncHandler(async (_req, res) => {
      await pets.remove(company(res), valid(res, 'params', IdParams).id);
      res.json({ message: 'Pet deleted' });
    }),
  };
}
