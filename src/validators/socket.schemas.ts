/** Socket.io client payloads (anything else is ignored with a warning). */
import { z } from 'zod';
import { objectId } from './common.schemas';

export const ConversationPayload = z.object({ conversationId: objectId });
export type ConversationPayload = z.infer<typeof ConversationPayload>;

export const MessageReadPayload = z.object({ conversationId: objectId, messageIds: z.array(objectId).min(1).max(500) });
export type MessageReadPayload = z.infer<typeof MessageReadPayload>;
