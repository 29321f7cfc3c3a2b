/** /api/v1/catalog/customers handlers: `{items}` lists, `{customer}` objects [COMPAT envelopes]. */
import type { RequestHandler } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { CustomerService } from '../../services/customers/customer.service';
import { IdParams } from '../../validators/common.schemas';
import { ByPhoneQuery, CustomerCreateBody, CustomerListQuery, CustomerUpdateBody } from '../../validators/customers/customer.schemas';
import { asyncHandler } from '../asyncHandler';

type Handlers = 'list' | 'byPhone' | 'get' | 'create' | 'update' | 'convert';

export function customerController(customers: CustomerService): Record<Handlers, RequestHandler> {
  const company = (res: Parameters<RequestHandler>[1]) => currentUser(res).companyObjectId;
  return {
    list: asyncHandler(async (_req, res) => {
      res.json(await customers.list(company(res), valid(res, 'query', CustomerListQuery)));
    }),
    byPhone: asyncHandler(async (_req, res) => {
      res.json(await customers.byPhone(company(res), valid(res, 'query', ByPhoneQuery)));
    }),
    get: asyncHandler(async (_req, res) => {
      res.json({ customer: await customers.get(company(res), valid(res, 'params', IdParams).id) });
    }),
    // 201 for a new customer; 200 with the contact the company already had for this number.
    create: asyncHandler(async (_req, res) => {
      const { customer, created } = await customers.create(company(res), valid(res, 'body', CustomerCreateBody));
      res.status(created ? 201 : 200).json({ customer });
    }),
    update: asyncHandler(async (_req, res) => {
      const { id } = valid(res, 'params', IdParams);
      res.json({ customer: await customers.update(company(res), id, valid(res, 'body', CustomerUpdateBody)) });
    }),
    convert: asyncHandler(async (_req, res) => {
      res.json(await customers.convert(company(res), valid(res, 'params', IdParams).id));
    }),
  };
}
