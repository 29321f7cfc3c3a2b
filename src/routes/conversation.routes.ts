/** /api/v1/conversations (manager, receptionist; guards and limiter in ./inbox). */
import type { Router } from 'express';
import type { AppDeps } from '../deps';
import { conversationController } from '../controllers/conversation.controller';
import { validate } from '../middleware/validate';
import type { MessageService } from '../services/message.service';
import { createConversationService } from '../services/conversation.service';
import { ConversationListBody, ConversationMessagesBody, MarkReadBody, ToggleBotBody } from '../validators/message.schemas';
import { inboxRouter } from './inbox';

export function conversationRoutes(deps: AppDeps, messages: MessageService): Router {
  const { router, limit } = inboxRouter(deps, 'conversation');
  const c = conversationController(createConversationService(deps.clock), messages);
  router.post('/list', validate({ body: ConversationListBody }), limit, c.list);
  router.post('/messages', validate({ body: ConversationMessagesBody }), limit, c.messages);
  router.post('/mark-read', validate({ body: MarkReadBody }), limit, c.markRead);
  router.post('/toggle-bot-suspended', validate({ body: ToggleBotBody }), limit, c.toggleBot);
  return router;
}
