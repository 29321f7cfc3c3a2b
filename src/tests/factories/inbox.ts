/**
 * Factories for the inbox: contacts (with social ids), messages with chosen dates, directions and
 * read flags, and a company's Meta integration with an (encrypted) page token. Written straight to
 * the test database; the HTTP routes are what the tests exercise.
 */
import { Types } from 'mongoose';
import type { Config } from '../../config/env';
import { CompanyIntegration } from '../../models/CompanyIntegration';
import { Contact } from '../../models/Contact';
import { messageAdded, rebuildConversationSummaries } from '../../services/conversationSummary.service';
import { Message, type Platform } from '../../models/Message';
import { encryptSecret } from '../../utils/secrets';

let seq = 0;
const next = (): number => ++seq;

export interface ContactOverrides {
  fullName?: string | null;
  email?: string;
  phone?: string;
  /** null: the contact has no such id. */
  facebookId?: string | null;
  instagramId?: string | null;
  whatsapp?: string;
  profileName?: string;
  socialNetworkName?: string;
  contactStatus?: 'lead' | 'customer';
  leadStage?: 'new' | 'contacted' | 'qualified' | 'lost';
  botSuspended?: boolean;
  botSuspendUntil?: Date | null;
}

/** A contact of the company; by default a lead with a Facebook PSID and an Instagram IGSID. */
export async function createContact(companyId: Types.ObjectId, o: ContactOverrides = {}) {
  const n = next();
  const doc: Record<string, unknown> = {
    companyId,
    social: {
      ...(o.facebookId !== null ? { facebookId: o.facebookId ?? `psid-${n}` } : {}),
      ...(o.instagramId !== null ? { instagramId: o.instagramId ?? `igsid-${n}` } : {}),
      ...(o.whatsapp ? { whatsapp: o.whatsapp } : {}),
    },
    contactStatus: o.contactStatus ?? 'lead',
  };
  if (o.fullName !== null) doc.fullName = o.fullName ?? `Customer ${n}`;
  if (o.email) doc.email = o.email;
  if (o.phone) doc.phone = o.phone;
  if (o.profileName) doc.profile = { name: o.profileName };
  if (o.socialNetworkName) doc.socialNetworkName = o.socialNetworkName;
  if (o.leadStage) doc.leadStage = o.leadStage;
  if (o.botSuspended !== undefined) doc.botSuspended = o.botSuspended;
  if (o.botSuspendUntil !== undefined) doc.botSuspendUntil = o.botSuspendUntil;
  const created = await Contact.create(doc);
  return created.toObject();
}

/** A POST /api/v1/messages body as the dashboard sends it: an operator's outbound message. */
export function operatorMessageBody(
  companyId: Types.ObjectId | string,
  contactId: Types.ObjectId | string,
  extra: Record<string, unknown> = {},
) {
  return {
    company_id: String(companyId),
    contact_id: String(contactId),
    role: 'operator',
    platform: 'facebook',
    direction: 'outbound',
    content: 'Your dog is ready for pick-up',
    ...extra,
  };
}

export interface MessageOverrides {
  platform?: Platform;
  direction?: 'inbound' | 'outbound';
  role?: 'user' | 'operator' | 'assistant';
  content?: string;
  read?: boolean;
  delivered?: boolean;
  at?: Date;
  externalId?: string;
}

/** One stored message; inbound messages are the customer's (role user), outbound the operator's. */
export async function createMessage(companyId: Types.ObjectId, contactId: Types.ObjectId, o: MessageOverrides = {}) {
  const n = next();
  const direction = o.direction ?? 'inbound';
  const at = o.at ?? new Date(Date.UTC(2025, 0, 1, 12, 0, n % 60));
  const created = await Message.create({
    company_id: companyId,
    contact_id: contactId,
    role: o.role ?? (direction === 'inbound' ? 'user' : 'operator'),
    platform: o.platform ?? 'facebook',
    content: o.content ?? `message ${n}`,
    direction,
    read: o.read ?? false,
    delivered: o.delivered ?? false,
    created_at: at,
    updated_at: at,
    ...(o.externalId ? { external_message_id: o.externalId } : {}),
  });
  // As the services store it: with the contact's conversation summary.
  await messageAdded(created.toObject());
  return created.toObject();
}

/**
 * `count` messages of one contact, the i-th at `start + i * stepMs` (a step of 0 gives equal
 * timestamps, which the cursor must still page through), alternating inbound and outbound.
 */
export async function createChat(
  companyId: Types.ObjectId,
  contactId: Types.ObjectId,
  count: number,
  o: { start?: Date; stepMs?: number; platform?: Platform; sameTimeEvery?: number } = {},
) {
  const start = (o.start ?? new Date('2025-03-01T08:00:00.000Z')).getTime();
  const step = o.stepMs ?? 60_000;
  const docs = Array.from({ length: count }, (_, i) => {
    const at = new Date(start + Math.floor(i / (o.sameTimeEvery ?? 1)) * step);
    return {
      _id: new Types.ObjectId(),
      company_id: companyId,
      contact_id: contactId,
      role: i % 2 === 0 ? 'user' : 'operator',
      platform: o.platform ?? 'facebook',
      content: `chat line ${i}`,
      direction: i % 2 === 0 ? 'inbound' : 'outbound',
      read: false,
      delivered: false,
      created_at: at,
      updated_at: at,
    };
  });
  await Message.insertMany(docs);
  await rebuildConversationSummaries({ companyId });
  return docs;
}

export const PAGE_TOKEN = 'EAAG-page-token-for-tests';

/** The company's Meta integration: a connected page (and Instagram account) with its page token. */
export async function createIntegration(config: Config, companyId: Types.ObjectId, pageToken = PAGE_TOKEN) {
  const n = next();
  const created = await CompanyIntegration.create({
    companyId,
    facebookChatId: `page-${n}`,
    instagramChatId: `ig-${n}`,
    facebookAccessToken: encryptSecret(pageToken, config.dataEncryptionKey),
    facebookTokenSource: 'page_direct',
  });
  return created.toObject();
}
