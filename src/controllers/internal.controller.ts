/** The Meta Bot's endpoints: S1 emit-message-internal, S2 (now authenticated), and message ingest. */
import { currentUser } from '../middleware/auth';
import { valid } from '../middleware/validate';
import type { IngestService } from '../services/ingest.service';
import type { MessagePayload } from '../socket/events/types';
import type { Realtime } from '../socket/realtime';
import { ForbiddenError, InternalApiError } from '../utils/errors';
import { EmitMessageBody, IngestMessageBody } from '../validators/message.schemas';
import { asyncHandler } from './asyncHandler';

function checked(b: EmitMessageBody): EmitMessageBody {
  if (!b.companyId || !b.conversationId) {
    throw new InternalApiError(400, 'MISSING_REQUIRED_FIELDS', 'companyId, conversationId, and message are required');
  }
  if (!b.message.id || !b.message.contactId) {
    throw new InternalApiError(400, 'INVALID_MESSAGE_STRUCTURE', 'Message must include id, contactId, and direction');
  }
  return b;
}

export function internalController(realtime: Realtime, ingest: IngestService) {
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

    /** S2: no longer open: a signed-in staff member, and only into their own company's room. */
    emitLegacy: asyncHandler(async (_req, res) => {
      const b = checked(valid(res, 'body', EmitMessageBody));
      const user = currentUser(res);
      if (b.companyId !== user.companyId) throw new ForbiddenError("You can only access your own company's data");
      realtime.messageNew(user.companyId, { conversationId: b.conversationId, message: b.message as MessagePayload });
      res.json({ success: true, message: 'Event emitted successfully' });
    }),

    ingest: asyncHandler(async (_req, res) => {
      const result = await ingest.ingest(valid(res, 'body', IngestMessageBody));
      res
        .status(result.duplicate ? 200 : 201)
        .json({ success: true, duplicate: result.duplicate, contactId: result.contactId, message: result.message });
    }),
  };
}

export type InternalController = ReturnType<typeof internalController>;
