/** The Meta Bot's endpoints: S1 emit-message-internal, S2 (now authenticated), and message ingest. */
import { currentUser } from '../middleware/auth';
import { valid } from '../middleware/validate';
import type { IngestService } from '../services/ingest.service';
import type { MessageService } from '../services/message.service';
import type { MessagePayload } from '../socket/events/types';
import type { Realtime } from '../socket/realtime';
import { ForbiddenError, InternalApiError, NotFoundError } from '../utils/errors';
import { EmitMessageBody, IngestMessageBody } from '../validators/message.schemas';
import { afterResponse } from './afterResponse';
import { asyncHandler } from './asyncHandler';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

function checked(b: EmitMessageBody): EmitMessageBody {
  if (!b.companyId || !b.conversationId) {
    throw new InternalApiError(400, 'MISSING_REQUIRED_FIELDS', 'companyId, conversationId, and message are required');
  }
  if (!b.message.id || !b.message.contactId) {
    throw new InternalApiError(400, 'INVALID_MESSAGE_STRUCTURE', 'Message must include id, contactId, and direction');
  }
  return b;
}

export function internalController(realtime: Realtime, ingest: IngestService, messages: MessageService) {
  return {
    /** S1 [COMPAT]: the event goes out exactly as received (extra message keys included). */
    emitInternal: asyncHandler(async (_req, res) => {
      const b = checked(valid(res, 'body', EmitMessageBody));
      realtime.messageNew(b.companyId, { conversationId: b.conversationId, message: b.message as MessagePayload });
      res.json({
        success: true,
        message: 'Event emitted successfully',
        data: { companyId: b.companyId, conversationId: b.conversationId, messageId: b.message.id },
      });
    }),

    /**
     * S2: no longer open. A signed-in staff member may re-announce a message that is stored in
     * one of their company's conversations, into their own company's room; the event is built
     * from the stored message, never from the caller's payload (no forged content, direction or
     * other company's contact).
     */
    emitLegacy: asyncHandler(async (_req, res) => {
      const b = checked(valid(res, 'body', EmitMessageBody));
      const user = currentUser(res);
      if (b.companyId !== user.companyId) throw new ForbiddenError("You can only access your own company's data");
      if (b.conversationId !== b.message.contactId || !OBJECT_ID.test(b.conversationId) || !OBJECT_ID.test(b.message.id)) {
        throw new InternalApiError(404, 'MESSAGE_NOT_FOUND', 'Message not found in this conversation');
      }
      await messages.announceStored(user.companyObjectId, b.conversationId, b.message.id).catch((err: unknown) => {
        throw err instanceof NotFoundError ? new InternalApiError(404, 'MESSAGE_NOT_FOUND', 'Message not found in this conversation') : err;
      });
      res.json({ success: true, message: 'Event emitted successfully' });
    }),

    ingest: asyncHandler(async (_req, res) => {
      const { announce, ...result } = await ingest.ingest(valid(res, 'body', IngestMessageBody));
      if (announce) afterResponse(res, announce);
      res
        .status(result.duplicate ? 200 : 201)
        .json({ success: true, duplicate: result.duplicate, contactId: result.contactId, message: result.message });
    }),
  };
}

export type InternalController = ReturnType<typeof internalController>;
