/** /api/v1/conversations handlers. Errors use `{message}`. */
import type { RequestHandler } from 'express';
import { currentUser } from '../middleware/auth';
import { valid } from '../middleware/validate';
import type { ConversationService } from '../services/conversation.service';
import type { MessageService } from '../services/message.service';
import { ConversationListBody, ConversationMessagesBody, MarkReadBody, ToggleBotBody } from '../validators/message.schemas';
import { asyncHandler } from './asyncHandler';

export function conversationController(conversations: ConversationService, messages: MessageService): Record<string, RequestHandler> {
  return {
    list: asyncHandler(async (_req, res) => {
      res.json(await conversations.list(currentUser(res).companyObjectId, valid(res, 'body', ConversationListBody)));
    }),
    messages: asyncHandler(async (_req, res) => {
      res.json(await conversations.messages(currentUser(res).companyObjectId, valid(res, 'body', ConversationMessagesBody)));
    }),
    markRead: asyncHandler(async (_req, res) => {
      const b = valid(res, 'body', MarkReadBody);
      const user = currentUser(res);
      res.json({
        message: 'Messages marked as read',
        ...(await messages.markRead(user.companyObjectId, user.id, (b.contactId ?? b.contact_id)!, b.platform)),
      });
    }),
    toggleBot: asyncHandler(async (_req, res) => {
      res.json(await conversations.toggleBot(currentUser(res).companyObjectId, valid(res, 'body', ToggleBotBody)));
    }),
  };
}
