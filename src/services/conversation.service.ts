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
import { contactHistory, conversationPage, ownContact } from './message.service';
import { messageJson } from './messageView';

type CompanyId = Types.ObjectId;

type Row = Awaited<ReturnType<typeof conversationPage>>['rows'][number];

function displayName(c: Row['contact']): string {
  for (const v of [c.fullName, c.profile?.name, c.socialNetworkName]) if (v !== undefined && v !== null) return String(v);
  return 'Unknown';
}

const CONTACT_KEYS = [
  'fullName',
  'socialNetworkName',
  'email',
  'phone',
  'social',
  'profile',
  'botSuspended',
  'botSuspendUntil',
  'leadStage',
] as const;

export function createConversationService(clock: Clock) {
  return {
    async list(companyId: CompanyId, q: ConversationListBody) {
      const { rows: items, total: totalConversations } = await conversationPage(companyId, q.platform, q.skip, q.limit);
      const conversations = items.map((r) => {
        const out: Record<string, unknown> = { contactId: r.contact._id, contactStatus: r.contact.contactStatus };
        for (const k of CONTACT_KEYS) if (r.contact[k] !== undefined) out[k] = r.contact[k];
        return {
          ...out,
          name: displayName(r.contact),
          latestMessage: {
            _id: r.latest._id,
            content: r.latest.content,
            created_at: r.latest.created_at,
            direction: r.latest.direction,
            read: r.latest.read,
            delivered: r.latest.delivered,
          },
          platform: r.latest.platform,
          lastMessageAt: r.latest.created_at,
          unreadCount: r.unreadCount,
        };
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
