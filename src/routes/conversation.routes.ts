/** /api/v1/conversations (manager, receptionist); errors `{message}` (E2); one shared limiter. */
import { Router } from 'express';
import type { AppDeps } from '../app';
import { conversationController } from '../controllers/conversation.controller';
import { authenticateToken, requireRole } from '../middleware/auth';
import { errorEnvelope } from '../middleware/errorHandler';
import { textRateLimiter } from '../middleware/rateLimit';
import { sameCompany } from '../middleware/tenantGuard';
import { validate } from '../middleware/validate';
import { createConversationService } from '../services/conversation.service';
import { createMessageService } from '../services/message.service';
import { ConversationListBody, ConversationMessagesBody, MarkReadBody, ToggleBotBody } from '../validators/message.schemas';

export function conversationRoutes(deps: AppDeps): Router {
  const router = Router();
  const messages = createMessageService({ realtime: deps.realtime, clock: deps.clock, kickOutbox: deps.kickOutbox });
  const c = conversationController(createConversationService(deps.clock), messages);
  const limit = textRateLimiter({
    max: deps.config.inboxRateLimit.conversationsMax,
    windowMs: deps.config.inboxRateLimit.windowMs,
    message: 'Too many requests to conversation endpoints, please try again later.',
  });
  router.use(errorEnvelope('E2'), authenticateToken(deps.verifyAccess), requireRole('manager', 'receptionist'), sameCompany());
  router.post('/list', validate({ body: ConversationListBody }), limit, c.list!);
  router.post('/messages', validate({ body: ConversationMessagesBody }), limit, c.messages!);
  router.post('/mark-read', validate({ body: MarkReadBody }), limit, c.markRead!);
  router.post('/toggle-bot-suspended', validate({ body: ToggleBotBody }), limit, c.toggleBot!);
  return router;
}
