/**
 * Conversations (/api/v1/conversations): one per contact. The list reads the per-contact
 * conversation summaries (latest message, unread counts) with one indexed query, so its cost does
 * not grow with history, and reports the real total; a
 * conversation's messages come in newest-first pages (returned oldest→newest, as the dashboard
 * shows them) with a `before` cursor.
 */
import { type Types } from 'mongoose';
import { Contact } from '../models/Contact';
import type { Clock } from '../utils/clock';
import { NotFoundError } from '../utils/errors';
import type { ConversationListBody, ConversationMessagesBody, ToggleBotBody } from '../validators/message.schemas';
import { CONTACT_ROW_KEYS, contactHistory, conversationPage, ownContact } from './message.service';
import { messageJson } from './messageView';

type CompanyId = Types.ObjectId;

type Row = Awaited<ReturnType<typeof conversationPage>>['rows'][number];

function displayName(c: Row['contact']): string {
  for (const v of [c.fullName, c.profile?.name, c.socialNetworkName]) if (v !== undefined && v !== null) return String(v);
  return 'Unknown';
}

export function createConversationService(clock: Clock) {
  return {
    async list(companyId: CompanyId, q: ConversationListBody) {
      const { rows: items, total: totalConversations } = await conversationPage(companyId, q.platform, q.skip, q.limit);
      // Each row is built in place: spreading a row assembled key by key cost 0.4 ms a page
      // (8 µs a row) in the profile of the list, against 0.01 ms built in place.
      const conversations = items.map(({ contact: c, latest: m, unreadCount }) => {
        const row: Record<string, unknown> = { contactId: c._id, contactStatus: c.contactStatus };
        for (const k of CONTACT_ROW_KEYS) {
          const v = c[k];
          if (v !== undefined) row[k] = v;
        }
        row.name = displayName(c);
        row.latestMessage = {
          _id: m._id,
          content: m.content,
          created_at: m.created_at,
          direction: m.direction,
          read: m.read,
          delivered: m.delivered,
        };
        row.platform = m.platform;
        row.lastMessageAt = m.created_at;
        row.unreadCount = unreadCount;
        return row;
      });
      // [COMPAT] `total` is the number of items in this page; the real total is `totalConversations`.
      return {
        conversations,
        total: conversations.length,
        totalConversations,
        hasMore: q.skip + conversations.length < totalConversations,
        limit: q.limit,
        skip: q.skip,
      };
    },

    async messages(companyId: CompanyId, q: ConversationMessagesBody) {
      const { newestFirst, totalMessages } = await contactHistory(companyId, q, 1);
      const hasMore = newestFirst.length > q.limit;
      const page = newestFirst.slice(0, q.limit).reverse();
      return {
        messages: page.map(messageJson),
        totalMessages,
        limit: q.limit,
        skip: q.skip,
        hasMore,
        nextBefore: hasMore && page[0] ? String(page[0]._id) : null,
      };
    },

    /**
     * C4: a boolean `botSuspended` sets the state, none toggles it (compare-and-set, so two
     * concurrent toggles cannot cancel out). `botSuspendUntil` applies only while suspended.
     */
    async toggleBot(companyId: CompanyId, b: ToggleBotBody) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const contact = await ownContact(companyId, b.contactId);
        const current = contact.botSuspended === true;
        const next = b.botSuspended ?? !current;
        let until: Date | null | undefined = contact.botSuspendUntil ?? null;
        if (!next) until = null;
        else if (b.botSuspendUntil !== undefined) {
          const at = b.botSuspendUntil ? new Date(b.botSuspendUntil) : null;
          until = at && !Number.isNaN(at.getTime()) && at > clock.now() ? at : null;
        }
        const updated = await Contact.findOneAndUpdate(
          { _id: contact._id, companyId, botSuspended: contact.botSuspended ?? { $in: [false, null] } },
          { $set: { botSuspended: next, botSuspendUntil: until } },
          { new: true },
        ).lean();
        if (!updated) continue;
        return {
          message: next ? 'Bot suspended successfully' : 'Bot resumed successfully',
          botSuspended: next,
          botSuspendUntil: updated.botSuspendUntil ? updated.botSuspendUntil.toISOString() : null,
          contactId: String(updated._id),
          contactStatus: updated.contactStatus,
        };
      }
      throw new NotFoundError('Contact not found');
    },
  };
}

export type ConversationService = ReturnType<typeof createConversationService>;
