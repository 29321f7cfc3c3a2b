/** /api/v1/messages handlers (contract paths and the resource-style forms). Errors use `{message}`. */
import type { RequestHandler } from 'express';
import { currentUser } from '../middleware/auth';
import { valid } from '../middleware/validate';
import type { MessageService } from '../services/message.service';
import { IdParams } from '../validators/common.schemas';
import {
  CompanyCustomersBody,
  ListByContactBody,
  MarkReadBody,
  MessageCreateBody,
  MessageIdBody,
  MessageListQuery,
  MessageUpdateBody,
} from '../validators/message.schemas';
import { afterResponse } from './afterResponse';
import { asyncHandler } from './asyncHandler';

/** M4 / C3: marks a contact's inbound messages read (both routers answer the same way). */
export function markReadHandler(messages: MessageService): RequestHandler {
  return asyncHandler(async (_req, res) => {
    const b = valid(res, 'body', MarkReadBody);
    const user = currentUser(res);
    res.json({ message: 'Messages marked as read', ...(await messages.markRead(user.companyObjectId, user.id, b.contactId, b.platform)) });
  });
}

export function messageController(messages: MessageService) {
  const company = (res: Parameters<RequestHandler>[1]) => currentUser(res).companyObjectId;
  return {
    create: asyncHandler(async (_req, res) => {
      const { announce, ...created } = await messages.create(company(res), valid(res, 'body', MessageCreateBody));
      afterResponse(res, announce);
      res.status(201).json({ message: 'Message created successfully', ...created });
    }),
    listByCustomer: asyncHandler(async (_req, res) => {
      res.json(await messages.listByContact(company(res), valid(res, 'body', ListByContactBody)));
    }),
    listByQuery: asyncHandler(async (_req, res) => {
      res.json(await messages.listByContact(company(res), valid(res, 'query', MessageListQuery)));
    }),
    companyCustomers: asyncHandler(async (_req, res) => {
      res.json(await messages.companyCustomers(company(res), valid(res, 'body', CompanyCustomersBody)));
    }),
    instagramCustomers: asyncHandler(async (_req, res) => {
      const b = valid(res, 'body', CompanyCustomersBody);
      res.json(await messages.companyCustomers(company(res), { ...b, platform: 'instagram' }));
    }),
    markRead: markReadHandler(messages),
    getByIdBody: asyncHandler(async (_req, res) => {
      res.json({ message: await messages.getById(company(res), valid(res, 'body', MessageIdBody)._id) });
    }),
    getByIdParam: asyncHandler(async (_req, res) => {
      res.json({ message: await messages.getById(company(res), valid(res, 'params', IdParams).id) });
    }),
    update: asyncHandler(async (_req, res) => {
      res.json({
        message: 'Message updated successfully',
        messageData: await messages.update(company(res), valid(res, 'body', MessageUpdateBody)),
      });
    }),
    remove: asyncHandler(async (_req, res) => {
      await messages.remove(company(res), valid(res, 'body', MessageIdBody)._id);
      res.json({ message: 'Message deleted successfully' });
    }),
  };
}
