/**
 * POST /api/v1/internal/messages: the Meta Bot hands over a message it received (or its bot's
 * reply); the contact is created or updated and the message stored in one transaction, then
 * `message:new` goes to the company once the answer is written. Idempotent on the platform message id: the same id again
 * returns the stored message and announces nothing.
 */
import mongoose, { Types } from 'mongoose';
import { Company } from '../models/Company';
import { Contact } from '../models/Contact';
import { Message, type MessageFields, type Platform } from '../models/Message';
import type { Realtime } from '../socket/realtime';
import type { Clock } from '../utils/clock';
import { InternalApiError } from '../utils/errors';
import type { IngestMessageBody } from '../validators/message.schemas';
import { messageAdded } from './conversationSummary.service';
import { messageJson, messageNewEvent } from './messageView';

const SOCIAL_FIELD: Partial<Record<Platform, string>> = {
  facebook: 'social.facebookId',
  instagram: 'social.instagramId',
  whatsapp: 'social.whatsapp',
};

const DEFAULT_NAME: Partial<Record<Platform, string>> = {
  facebook: 'Facebook User',
  instagram: 'Instagram User',
  whatsapp: 'WhatsApp User',
};

export interface IngestResult {
  duplicate: boolean;
  message: Record<string, unknown>;
  contactId: string;
  /** Publishes message:new for a new message (the caller runs it once its answer is written). */
  announce?: () => void;
}

export function createIngestService(deps: { realtime: Realtime; clock: Clock }) {
  const findExisting = (companyId: Types.ObjectId, b: IngestMessageBody) =>
    Message.findOne({ company_id: companyId, platform: b.platform, external_message_id: b.external_message_id }).lean<MessageFields>();

  return {
    async ingest(b: IngestMessageBody): Promise<IngestResult> {
      const companyId = new Types.ObjectId(b.company_id);
      // Independent reads, together: the Meta Bot waits on this per message.
      const [company, existing] = await Promise.all([Company.exists({ _id: companyId }), findExisting(companyId, b)]);
      if (!company) throw new InternalApiError(404, 'COMPANY_NOT_FOUND', 'Company not found');
      if (existing) return { duplicate: true, message: messageJson(existing), contactId: String(existing.contact_id) };
      const socialField = SOCIAL_FIELD[b.platform];
      if (!b.contact_id && !socialField)
        throw new InternalApiError(400, 'CONTACT_REQUIRED', `contact_id is required for ${b.platform} messages`);

      const now = deps.clock.now();
      const inbound = b.direction === 'inbound';
      let saved: MessageFields | undefined;
      const session = await mongoose.startSession();
      try {
        await session.withTransaction(async () => {
          let contactId: Types.ObjectId;
          if (b.contact_id) {
            const c = await Contact.findOneAndUpdate(
              { _id: b.contact_id, companyId },
              { $set: { lastMessageAt: now }, ...(inbound ? { $inc: { messageCount: 1 } } : {}) },
              { session, new: true },
            ).lean();
            if (!c) throw new InternalApiError(404, 'CONTACT_NOT_FOUND', 'Contact not found');
            contactId = c._id;
          } else {
            const profile = b.profile ?? {};
            const set: Record<string, unknown> = { lastMessageAt: now };
            for (const [k, v] of Object.entries(profile)) if (v !== undefined) set[`profile.${k}`] = v;
            if (profile.name) set.socialNetworkName = profile.name.slice(0, 100);
            const c = await Contact.findOneAndUpdate(
              { companyId, [socialField!]: b.customer_social_id },
              {
                $set: set,
                // companyId and the social id come from the filter's equality fields.
                $setOnInsert: {
                  fullName: (profile.name ?? DEFAULT_NAME[b.platform] ?? 'Customer').slice(0, 100),
                  contactStatus: 'lead',
                  leadSource: b.platform,
                  leadStage: 'new',
                },
                $inc: { messageCount: inbound ? 1 : 0 },
              },
              { session, new: true, upsert: true },
            ).lean();
            contactId = c!._id;
          }
          const created = b.created_at ? new Date(b.created_at) : now;
          // Written with the driver, as the operator's messages are: the body is already validated
          // against the schema's rules, and this is the inbox's hottest write.
          const doc = {
            _id: new Types.ObjectId(),
            company_id: companyId,
            contact_id: contactId,
            role: b.role,
            platform: b.platform,
            content: b.content,
            attachments: b.attachments.map((a) => ({ ...a, _id: new Types.ObjectId() })),
            direction: b.direction,
            external_message_id: b.external_message_id,
            delivered: !inbound,
            read: false,
            created_at: created,
            updated_at: now,
            __v: 0,
          };
          await Message.collection.insertOne(doc, { session });
          saved = doc as unknown as MessageFields;
          // In the same transaction: it already writes this contact, so the summary adds no conflict.
          await messageAdded(saved, session);
        });
      } catch (err) {
        if ((err as { code?: number }).code === 11000) {
          const dup = await findExisting(companyId, b);
          if (dup) return { duplicate: true, message: messageJson(dup), contactId: String(dup.contact_id) };
        }
        throw err;
      } finally {
        await session.endSession();
      }
      const doc = saved!;
      const event = messageNewEvent(doc);
      return {
        duplicate: false,
        message: messageJson(doc),
        contactId: String(doc.contact_id),
        // As the Meta Bot announced its own messages: outbound ones read, all delivered.
        announce: () =>
          deps.realtime.messageNew(String(companyId), { ...event, message: { ...event.message, read: !inbound, delivered: true } }),
      };
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
