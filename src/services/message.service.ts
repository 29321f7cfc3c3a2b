/**
 * Messages of one company (/api/v1/messages). Every contact and message id is checked against the
 * caller's company. An operator's message to Facebook/Instagram is saved first with delivery state
 * `queued`; the outbox delivers it, so the request never waits for the Meta Bot.
 *
 * The inbox's hot reads (the conversation list and a conversation's page) and its hottest write
 * go to the driver: their filters are built here, always with the company, from ids already
 * validated, so Mongoose's casting and query building (0.2–0.7 ms of CPU a query in the
 * profiles, about as much as the database's own work for them) buy nothing.
 */
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { Contact } from '../models/Contact';
import { Conversation } from '../models/Conversation';
import { Message, type MessageFields, type Platform } from '../models/Message';
import type { Realtime } from '../socket/realtime';
import type { Clock } from '../utils/clock';
import { AppError, NotFoundError } from '../utils/errors';
import type { CompanyCustomersBody, ListByContactBody, MessageCreateBody, MessageUpdateBody } from '../validators/message.schemas';
import { contactRef } from './contactRefs';
import { allRead, messageAdded, messageRemoved, summaryPage, unreadChanged } from './conversationSummary.service';
import { inTransaction } from './tenant';
import { messageJson, messageNewEvent, WITHOUT_INTERNAL_FIELDS } from './messageView';

type CompanyId = Types.ObjectId;

export const FORWARDED_PLATFORMS: readonly Platform[] = ['facebook', 'instagram'];

export interface MessageServiceDeps {
  realtime: Realtime;
  clock: Clock;
  /** Asks the outbox to deliver queued messages now (it also polls). */
  kickOutbox: () => void;
}

/** The company's contact, or 404 Contact not found. */
export async function ownContact(companyId: CompanyId, contactId: string) {
  const contact = await Contact.findOne({ _id: contactId, companyId }).lean();
  if (!contact) throw new NotFoundError('Contact not found');
  return contact;
}

/** Whether the contact is the company's (reads no more than its id). */
async function isOwnContact(companyId: CompanyId, contactId: string): Promise<boolean> {
  if (!Types.ObjectId.isValid(contactId)) return false;
  return (await Contact.collection.findOne({ _id: new Types.ObjectId(contactId), companyId }, { projection: { _id: 1 } })) !== null;
}

/** 404 Contact not found unless the contact is the company's. */
export async function assertContact(companyId: CompanyId, contactId: string): Promise<void> {
  if (!(await isOwnContact(companyId, contactId))) throw new NotFoundError('Contact not found');
}

/** Filter for a page of one contact's messages older than the `before` cursor (message id or date). */
async function pageFilter(companyId: CompanyId, contactId: string, platform: string | undefined, before: string | undefined) {
  const filter: Record<string, unknown> = { company_id: companyId, contact_id: new Types.ObjectId(contactId) };
  if (platform) filter.platform = platform;
  if (!before) return filter;
  if (/^[0-9a-f]{24}$/i.test(before)) {
    const anchor = await Message.collection.findOne<Pick<MessageFields, '_id' | 'created_at'>>(
      { _id: new Types.ObjectId(before), company_id: companyId },
      { projection: { created_at: 1 } },
    );
    if (!anchor) throw new AppError(400, 'INVALID_CURSOR', 'before must be a message of this conversation');
    filter.$or = [{ created_at: { $lt: anchor.created_at } }, { created_at: anchor.created_at, _id: { $lt: anchor._id } }];
  } else {
    const at = new Date(before);
    if (Number.isNaN(at.getTime())) throw new AppError(400, 'INVALID_CURSOR', 'before must be a message id or an ISO date');
    filter.created_at = { $lt: at };
  }
  return filter;
}

export interface HistoryQuery {
  contactId: string;
  platform?: string | undefined;
  /** Only messages older than this message id or ISO date. */
  before?: string | undefined;
  skip: number;
  limit: number;
}

/**
 * One page of a contact's history, newest first, with the count of all their messages (on the
 * platform, if one is named). 404 when the contact is not the company's. `extra` more rows are
 * read past the page so a caller can tell whether there is more. The page is read while the
 * contact is checked (its filter names the company, so it finds nothing of another's contact);
 * the check still answers first.
 */
export async function contactHistory(companyId: CompanyId, q: HistoryQuery, extra = 0) {
  const owned = isOwnContact(companyId, q.contactId);
  const page = (async () => {
    const filter = await pageFilter(companyId, q.contactId, q.platform, q.before);
    const contactId = new Types.ObjectId(q.contactId);
    const [newestFirst, totalMessages] = await Promise.all([
      Message.collection
        .find<MessageFields>(filter, {
          projection: WITHOUT_INTERNAL_FIELDS,
          sort: { created_at: -1, _id: -1 },
          skip: q.skip,
          limit: q.limit + extra,
        })
        .toArray(),
      Message.collection.countDocuments({ company_id: companyId, contact_id: contactId, ...(q.platform ? { platform: q.platform } : {}) }),
    ]);
    return { newestFirst, totalMessages };
  })();
  // The page's failure (a bad cursor) matters only for the company's own contact.
  page.catch(() => undefined);
  if (!(await owned)) throw new NotFoundError('Contact not found');
  return page;
}

/** What a conversation row shows of its contact (besides its id and status; M3 shows fewer). */
export const CONTACT_ROW_KEYS = [
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
const CONTACT_FIELDS = Object.fromEntries([...CONTACT_ROW_KEYS, 'contactStatus'].map((k) => [k, 1]));
/** What a conversation row (and M3) shows of the latest message. */
const LATEST_FIELDS = { content: 1, created_at: 1, direction: 1, read: 1, delivered: 1, platform: 1, attachments: 1 };

type ContactRow = Record<string, unknown> & { _id: Types.ObjectId; profile?: { name?: string } };

/**
 * A page of the company's conversations (every platform, or one) with each contact and latest
 * message: one indexed query on the summaries, then the page's contacts and messages by id, only
 * the fields a row shows. Conversations whose contact no longer exists are left out.
 */
export async function conversationPage(companyId: CompanyId, platform: Platform | 'all', skip: number, limit: number) {
  const { rows, total } = await summaryPage(companyId, platform, skip, limit);
  const [contacts, latest] = await Promise.all([
    Contact.collection
      .find<ContactRow>({ _id: { $in: rows.map((r) => r.contactId) }, companyId }, { projection: CONTACT_FIELDS })
      .toArray(),
    Message.collection
      .find<MessageFields>(
        { _id: { $in: rows.map((r) => new Types.ObjectId(r.latestId)) }, company_id: companyId },
        { projection: LATEST_FIELDS },
      )
      .toArray(),
  ]);
  const contactById = new Map(contacts.map((c) => [String(c._id), c]));
  const messageById = new Map(latest.map((m) => [String(m._id), m]));
  const page = rows.flatMap((r) => {
    const contact = contactById.get(String(r.contactId));
    const message = messageById.get(r.latestId);
    return contact && message ? [{ contact, latest: message, unreadCount: r.unreadCount }] : [];
  });
  // A summary whose contact is gone (or was never the company's) is dropped when seen.
  const orphans = rows.filter((r) => !contactById.has(String(r.contactId))).map((r) => r.contactId);
  if (orphans.length > 0) await Conversation.deleteMany({ companyId, contactId: { $in: orphans } });
  return { rows: page, total: total - orphans.length };
}

/**
 * Socket `message:read`: the listed inbound messages of the company's contact become read (and
 * the conversation's unread counts follow). Returns the ids that are the contact's inbound
 * messages, read before or now; empty when none is.
 */
export async function markReadByIds(companyId: CompanyId, contactId: string, ids: string[], now: Date): Promise<string[]> {
  const filter = {
    company_id: companyId,
    contact_id: new Types.ObjectId(contactId),
    direction: 'inbound',
    _id: { $in: ids.map((id) => new Types.ObjectId(id)) },
  };
  return inTransaction(async (session) => {
    const mine = await Message.find(filter, { _id: 1, read: 1, platform: 1 }).session(session).lean<MessageFields[]>();
    const unread = mine.filter((m) => m.read !== true);
    if (unread.length > 0) {
      await Message.updateMany(
        { ...filter, _id: { $in: unread.map((m) => m._id) }, read: { $ne: true } },
        { $set: { read: true, read_at: now, updated_at: now } },
        { session },
      );
      const delta: Partial<Record<Platform, number>> = {};
      for (const m of unread) delta[m.platform as Platform] = (delta[m.platform as Platform] ?? 0) - 1;
      await unreadChanged(companyId, new Types.ObjectId(contactId), delta, session);
    }
    return mine.map((m) => String(m._id));
  });
}

export function createMessageService(deps: MessageServiceDeps) {
  const { realtime, clock } = deps;

  return {
    async create(companyId: CompanyId, b: MessageCreateBody) {
      if (b.role !== 'operator' || b.direction !== 'outbound') {
        // Staff cannot forge customer or bot messages [SEC]; those come from the Meta Bot.
        throw new AppError(403, 'OPERATOR_ONLY', 'Staff can only send operator messages (role "operator", direction "outbound")');
      }
      if (!(await contactRef(companyId, b.contact_id))) throw new NotFoundError('Contact not found');
      const now = clock.now();
      const forwarded = FORWARDED_PLATFORMS.includes(b.platform);
      // Built and inserted with the driver: the body is already validated against the schema's
      // rules, and this is the inbox's hottest write.
      const doc = {
        _id: new Types.ObjectId(),
        company_id: companyId,
        contact_id: new Types.ObjectId(b.contact_id),
        role: b.role,
        platform: b.platform,
        content: b.content ?? '',
        attachments: (b.attachments ?? []).map((a) => ({ ...a, _id: new Types.ObjectId() })),
        direction: b.direction,
        ...(b.external_message_id ? { external_message_id: b.external_message_id } : {}),
        delivered: false,
        read: false,
        created_at: now,
        updated_at: now,
        ...(forwarded
          ? { delivery_status: 'queued' as const, delivery_attempts: 0, delivery_next_attempt_at: now, delivery_key: randomUUID() }
          : {}),
        __v: 0,
      };
      // The summary's update is one atomic, commutative update ($max, $inc), so concurrent messages
      // of one conversation never conflict; sent together with the insert, both are made durable by
      // the same journal flush.
      await Promise.all([Message.collection.insertOne(doc), messageAdded(doc)]);
      if (forwarded) deps.kickOutbox();
      return {
        messageData: messageJson(doc),
        forwarding: forwarded ? { success: true, forwarded: false, queued: true, status: 'queued', platform: b.platform } : null,
        warning: null,
        /** Publishes message:new; the controller calls it once the 201 is written (B-25). */
        announce: () => realtime.messageNew(String(companyId), messageNewEvent(doc as unknown as MessageFields)),
      };
    },

    /** M2 / GET ?contact_id: a contact's messages, newest first. */
    async listByContact(companyId: CompanyId, q: ListByContactBody) {
      const { newestFirst, totalMessages } = await contactHistory(companyId, { ...q, contactId: q.contact_id });
      return { messages: newestFirst.map(messageJson), totalMessages, limit: q.limit, skip: q.skip };
    },

    /** M3: the company's contacts on a platform with their latest message (from the conversation summaries). */
    async companyCustomers(companyId: CompanyId, q: CompanyCustomersBody) {
      const { rows } = await conversationPage(companyId, q.platform, q.skip, q.limit);
      const contacts = rows.map(({ contact, latest }) => ({
        contact_id: contact._id,
        ...(contact.fullName !== undefined ? { fullName: contact.fullName } : {}),
        ...(contact.socialNetworkName !== undefined ? { socialNetworkName: contact.socialNetworkName } : {}),
        latestMessage: {
          _id: latest._id,
          content: latest.content,
          created_at: latest.created_at,
          attachments: latest.attachments,
          read: latest.read,
          delivered: latest.delivered,
        },
      }));
      return { contacts, limit: q.limit, skip: q.skip };
    },

    /** M4 / C3: the contact's unread inbound messages become read, and the company hears of it. */
    async markRead(companyId: CompanyId, userId: string, contactId: string, platform?: string) {
      await assertContact(companyId, contactId);
      const filter = {
        company_id: companyId,
        contact_id: new Types.ObjectId(contactId),
        direction: 'inbound',
        read: { $ne: true },
        ...(platform ? { platform } : {}),
      };
      // The dashboard marks a conversation read whenever it opens it: usually nothing is unread.
      if (!(await Message.exists(filter))) return { matched: 0, modified: 0 };
      const now = clock.now();
      const { unread, res } = await inTransaction(async (session) => {
        const unread = await Message.find(filter, { _id: 1 }).session(session).lean();
        const res = await Message.updateMany(
          { ...filter, _id: { $in: unread.map((m) => m._id) } },
          { $set: { read: true, read_at: now, updated_at: now } },
          { session },
        );
        await allRead(companyId, new Types.ObjectId(contactId), platform as Platform | undefined, session);
        return { unread, res };
      });
      if (unread.length > 0) {
        realtime.messageStatus(String(companyId), {
          conversationId: contactId,
          messageIds: unread.map((m) => String(m._id)),
          status: 'read',
          userId,
          timestamp: now.toISOString(),
        });
      }
      return { matched: res.matchedCount, modified: res.modifiedCount };
    },

    async getById(companyId: CompanyId, id: string) {
      const doc = await Message.findOne({ _id: id, company_id: companyId }).lean<MessageFields>();
      if (!doc) throw new NotFoundError('Message not found');
      return messageJson(doc);
    },

    async update(companyId: CompanyId, b: MessageUpdateBody) {
      const now = clock.now();
      const set: Record<string, unknown> = { updated_at: now };
      if (b.content !== undefined) set.content = b.content;
      if (b.attachments !== undefined) set.attachments = b.attachments;
      if (b.read !== undefined) {
        set.read = b.read;
        if (b.read) set.read_at = now;
      }
      const doc = await inTransaction(async (session) => {
        const before = await Message.findOne({ _id: b._id, company_id: companyId }, { read: 1, direction: 1, platform: 1, contact_id: 1 })
          .session(session)
          .lean<MessageFields>();
        if (!before) return null;
        const after = await Message.findOneAndUpdate(
          { _id: b._id, company_id: companyId },
          { $set: set },
          { new: true, runValidators: true, session },
        ).lean<MessageFields>();
        if (after && before.direction === 'inbound' && (before.read === true) !== (after.read === true)) {
          await unreadChanged(companyId, after.contact_id, { [after.platform]: after.read === true ? -1 : 1 }, session);
        }
        return after;
      });
      if (!doc) throw new NotFoundError('Message not found');
      return messageJson(doc);
    },

    async remove(companyId: CompanyId, id: string) {
      const removed = await inTransaction(async (session) => {
        const doc = await Message.findOneAndDelete({ _id: id, company_id: companyId }, { session }).lean<MessageFields>();
        if (doc) await messageRemoved(doc, session);
        return doc;
      });
      if (!removed) throw new NotFoundError('Message not found');
    },

    /**
     * S2 (legacy emit): re-announces a stored message of the company's contact. The event is built
     * from the message as stored, never from what the caller sent.
     */
    async announceStored(companyId: CompanyId, contactId: string, messageId: string) {
      const doc = await Message.findOne({ _id: messageId, company_id: companyId, contact_id: contactId }).lean<MessageFields>();
      if (!doc) throw new NotFoundError('Message not found');
      realtime.messageNew(String(companyId), messageNewEvent(doc));
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
