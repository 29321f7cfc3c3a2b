/** /api/v1/conversations handlers. Errors use `{message}`. */
import { currentUser } from '../middleware/auth';
import { valid } from '../middleware/validate';
import type { ConversationService } from '../services/conversation.service';
import type { MessageService } from '../services/message.service';
import { ConversationListBody, ConversationMessagesBody, ToggleBotBody } from '../validators/message.schemas';
import { asyncHandler } from './asyncHandler';
import { markReadHandler } from './message.controller';

export function conversationController(conversations: ConversationService, messages: MessageService) {
  return {
    list: asyncHandler(async (_req, res) => {
      res.json(await conversations.list(currentUser(res).companyObjectId, valid(res, 'body', ConversationListBody)));
    }),
    messages: asyncHandler(async (_req, res) => {
      res.json(await conversations.messages(currentUser(res).companyObjectId, valid(res, 'body', ConversationMessagesBody)));
    }),
    markRead: markReadHandler(messages),
    toggleBot: asyncHandler(async (_req, res) => {
      res.json(await conversations.toggleBot(currentUser(res).companyObjectId, valid(res, 'body', ToggleBotBody)));
    }),
  };
}
