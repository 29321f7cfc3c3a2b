/**
 * Service (C1-C4, CS1-CS6) and service item (C5-C10) handlers. The catalogue and company routes
 * answer with different envelopes and messages [COMPAT], so each has its own handler.
 */
import type { RequestHandler, Response } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { ServiceCategoryService } from '../../services/booking/serviceCategory.service';
import type { ServiceItemService } from '../../services/booking/serviceItem.service';
import { CompanyServiceParams, PageQuery, ServiceIdParams } from '../../validators/booking/catalogue.schemas';
import {
  ServiceCreateBody,
  ServiceItemCreateBody,
  ServiceItemUpdateBody,
  ServiceListQuery,
  ServiceUpdateBody,
} from '../../validators/booking/service.schemas';
import { IdParams } from '../../validators/common.schemas';
import { asyncHandler } from '../asyncHandler';

const company = (res: Response) => currentUser(res).companyObjectId;

export function serviceController(services: ServiceCategoryService, items: ServiceItemService) {
  return {
    list: asyncHandler(async (_req, res) => {
      res.json({ items: await services.list(company(res), valid(res, 'query', ServiceListQuery)) });
    }),
    create: asyncHandler(async (_req, res) => {
      res.status(201).json({ service: await services.create(company(res), valid(res, 'body', ServiceCreateBody)) });
    }),
    update: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      res.json({ service: await services.update(company(res), id, valid(res, 'body', ServiceUpdateBody)) });
    }),
    remove: asyncHandler(async (_req, res) => {
      res.json({ message: 'Service deleted', service: await services.remove(company(res), valid(res, 'params', IdParams).id) });
    }),

    companyList: asyncHandler(async (_req, res) => {
      res.json(await services.page(company(res), valid(res, 'query', PageQuery)));
    }),
    companyListWithItems: asyncHandler(async (_req, res) => {
      res.json(await services.pageWithItems(company(res), valid(res, 'query', PageQuery)));
    }),
    companyItemsWithCategories: asyncHandler(async (_req, res) => {
      res.json(await items.pageWithCategories(company(res), valid(res, 'query', PageQuery)));
    }),
    companyCreate: asyncHandler(async (_req, res) => {
      const service = await services.create(company(res), valid(res, 'body', ServiceCreateBody));
      res.status(201).json({ service, message: 'Service category created successfully' });
    }),
    companyUpdate: asyncHandler(async (_req, res) => {
      const { serviceId } = valid(res, 'params', CompanyServiceParams);
      const service = await services.update(company(res), serviceId, valid(res, 'body', ServiceUpdateBody));
      res.json({ service, message: 'Service updated successfully' });
    }),
    companyRemove: asyncHandler(async (_req, res) => {
      await services.remove(company(res), valid(res, 'params', CompanyServiceParams).serviceId);
      res.json({ message: 'Service deleted successfully' });
    }),

    listItems: asyncHandler(async (_req, res) => {
      res.json({ items: await items.listForService(company(res), valid(res, 'params', ServiceIdParams).serviceId) });
    }),
    createItem: asyncHandler(async (_req, res) => {
      const { serviceId } = valid(res, 'params', ServiceIdParams);
      res.status(201).json({ variant: await items.create(company(res), serviceId, valid(res, 'body', ServiceItemCreateBody)) });
    }),
    updateItem: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      res.json({ variant: await items.update(company(res), id, valid(res, 'body', ServiceItemUpdateBody)) });
    }),
    removeItem: asyncHandler(async (_req, res) => {
      await items.remove(company(res), valid(res, 'params', IdParams).id);
      res.json({ message: 'Service item deleted successfully' });
    }),
  } satisfies Record<string, RequestHandler>;
}
