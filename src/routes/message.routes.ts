/**
 * /api/v1/messages (manager, receptionist): the contract's paths plus resource-style forms.
 * Chain (./inbox): auth → role → own company, then validate → shared limiter → handler; errors `{message}` (E2).
 */
import type { Router } from 'express';
import type { AppDeps } from '../deps';
import { messageController } from '../controllers/message.controller';
import { validate } from '../middleware/validate';
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
import { inboxRouter } from './inbox';

export function messageRoutes(deps: AppDeps, messages: MessageService): Router {
  const { router, limit } = inboxRouter(deps, 'message');
  const c = messageController(messages);
  router.post('/', validate({ body: MessageCreateBody }), limit, c.create);
  router.get('/', validate({ query: MessageListQuery }), limit, c.listByQuery);
  router.patch('/', validate({ body: MessageUpdateBody }), limit, c.update);
  router.delete('/', validate({ body: MessageIdBody }), limit, c.remove);
  router.post('/list-by-customer', validate({ body: ListByContactBody }), limit, c.listByCustomer);
  router.post('/company-customers', validate({ body: CompanyCustomersBody }), limit, c.companyCustomers);
  router.post('/instagram', validate({ body: CompanyCustomersBody }), limit, c.instagramCustomers);
  router.post('/mark-read', validate({ body: MarkReadBody }), limit, c.markRead);
  router.put('/mark-read', validate({ body: MarkReadBody }), limit, c.markRead);
  router.post('/get-by-id', validate({ body: MessageIdBody }), limit, c.getByIdBody);
  router.put('/update', validate({ body: MessageUpdateBody }), limit, c.update);
  router.delete('/delete', validate({ body: MessageIdBody }), limit, c.remove);
  router.get('/:id', validate({ params: IdParams }), limit, c.getByIdParam);
  return router;
}
