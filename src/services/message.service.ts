/**
 * Messages of one company (/api/v1/messages). Every contact and message id is checked against the
 * caller's company. An operator's message to Facebook/Instagram is saved first with delivery state
 * `queued`; the outbox delivers it, so the request never waits for the Meta Bot.
 */
import { randomUUID } from 'node:crypto';
import { Types, type PipelineStage } from 'mongoose';
import { Contact } from '../models/Contact';
import { Message, type MessageFields, type Platform } from '../models/Message';
import type { Realtime } from '../socket/realtime';
import type { Clock } from '../utils/clock';
import { AppError, NotFoundError } from '../utils/errors';
import type { CompanyCustomersBody, ListByContactBody, MessageCreateBody, MessageUpdateBody } from '../validators/message.schemas';
import { contactRef } from './contactRefs';
import { messageJson, messageNewEvent } from './messageView';

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

/** 404 Contact not found unless the contact is the company's (reads no more than its id). */
export async function assertContact(companyId: CompanyId, contactId: string): Promise<void> {
  if (!(await Contact.exists({ _id: contactId, companyId }))) throw new NotFoundError('Contact not found');
}

/**
 * Pipeline stages after grouping messages by contact: attach the contact (only if it is the
 * caller's company's; conversations of anyone else's contact are dropped) and order by the
 * latest message, newest first.
 */
export function withOwnContact(companyId: CompanyId): PipelineStage[] {
  return [
    {
      $lookup: {
        from: 'contacts',
        let: { contactId: '$_id' },
        pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$_id', '$$contactId'] }, { $eq: ['$companyId', companyId] }] } } }],
        as: 'contact',
      },
    },
    { $unwind: '$contact' },
    { $sort: { 'latest.created_at': -1, _id: -1 } },
  ];
}

/** Filter for a page of one contact's messages older than the `before` cursor (message id or date). */
async function pageFilter(companyId: CompanyId, contactId: string, platform: string | undefined, before: string | undefined) {
  const filter: Record<string, unknown> = { company_id: companyId, contact_id: new Types.ObjectId(contactId) };
  if (platform) filter.platform = platform;
  if (!before) return filter;
  if (/^[0-9a-f]{24}$/i.test(before)) {
    const anchor = await Message.findOne({ _id: before, company_id: companyId }, { created_at: 1 }).lean();
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
 * read past the page so a caller can tell whether there is more.
 */
export async function contactHistory(companyId: CompanyId, q: HistoryQuery, extra = 0) {
  await assertContact(companyId, q.contactId);
  const filter = await pageFilter(companyId, q.contactId, q.platform, q.before);
  const [newestFirst, totalMessages] = await Promise.all([
    Message.find(filter)
      .sort({ created_at: -1, _id: -1 })
      .skip(q.skip)
      .limit(q.limit + extra)
      .lean<MessageFields[]>(),
    Message.countDocuments({ company_id: companyId, contact_id: q.contactId, ...(q.platform ? { platform: q.platform } : {}) }),
  ]);
  return { newestFirst, totalMessages };
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
      await Message.collection.insertOne(doc);
      realtime.messageNew(String(companyId), messageNewEvent(doc as unknown as MessageFields));
      if (forwarded) deps.kickOutbox();
      return {
        messageData: messageJson(doc),
        forwarding: forwarded ? { success: true, forwarded: false, queued: true, status: 'queued', platform: b.platform } : null,
        warning: null,
      };
    },

    /** M2 / GET ?contact_id: a contact's messages, newest first. */
    async listByContact(companyId: CompanyId, q: ListByContactBody) {
      const { newestFirst, totalMessages } = await contactHistory(companyId, { ...q, contactId: q.contact_id });
      return { messages: newestFirst.map(messageJson), totalMessages, limit: q.limit, skip: q.skip };
    },

    /** M3: the company's contacts on a platform with their latest message, in one aggregation. */
    async companyCustomers(companyId: CompanyId, q: CompanyCustomersBody) {
      const rows = await Message.aggregate<{ _id: Types.ObjectId; latest: MessageFields; contact: Record<string, unknown> }>([
        { $match: { company_id: companyId, platform: q.platform } },
        { $sort: { created_at: -1 } },
        { $group: { _id: '$contact_id', latest: { $first: '$$ROOT' } } },
        ...withOwnContact(companyId),
        { $skip: q.skip },
        { $limit: q.limit },
      ]);
      const contacts = rows.map((r) => ({
        contact_id: r._id,
        ...(r.contact.fullName !== undefined ? { fullName: r.contact.fullName } : {}),
        ...(r.contact.socialNetworkName !== undefined ? { socialNetworkName: r.contact.socialNetworkName } : {}),
        latestMessage: {
          _id: r.latest._id,
          content: r.latest.content,
          created_at: r.latest.created_at,
          attachments: r.latest.attachments,
          read: r.latest.read,
          delivered: r.latest.delivered,
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
      const unread = await Message.find(filter, { _id: 1 }).lean();
      const now = clock.now();
      const res = await Message.updateMany(
        { ...filter, _id: { $in: unread.map((m) => m._id) } },
        { $set: { read: true, read_at: now, updated_at: now } },
      );
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
      const doc = await Message.findOneAndUpdate(
        { _id: b._id, company_id: companyId },
        { $set: set },
        { new: true, runValidators: true },
      ).lean<MessageFields>();
      if (!doc) throw new NotFoundError('Message not found');
      return messageJson(doc);
    },

    async remove(companyId: CompanyId, id: string) {
      const res = await Message.deleteOne({ _id: id, company_id: companyId });
      if (res.deletedCount === 0) throw new NotFoundError('Message not found');
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
