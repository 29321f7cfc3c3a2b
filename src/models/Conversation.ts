/**
 * Conversation summaries → `conversations`: one document per contact with messages, kept in the
 * same transaction as every message write, so the inbox list is one indexed query whose cost does
 * not grow with history (contract B-8). Keyed by company and contact (unique), so a message that
 * names another company's contact can never touch that company's summary.
 *
 * The latest message is kept as a sort key `<created_at ISO>|<message id>`: it orders exactly as
 * the list does (newest created_at, then newest id), and `$max` keeps the newest without a read,
 * whatever order messages arrive in. Unread counts (inbound, not read) are kept per platform.
 */
import { Schema, model, type Types } from 'mongoose';
import { PLATFORMS, type Platform } from './Message';
import { tenantScoped } from './plugins/tenantScoped';

const perPlatform = <T>(type: T) => Object.fromEntries(PLATFORMS.map((p) => [p, { type }])) as Record<Platform, { type: T }>;

const conversationSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    contactId: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    /** The latest message over every platform. */
    last: { type: String, required: true },
    /** The latest message on each platform the contact wrote or was written on. */
    platforms: perPlatform(String),
    /** Inbound messages not yet read, per platform. */
    unread: perPlatform(Number),
  },
  { versionKey: false },
);

conversationSchema.index({ companyId: 1, contactId: 1 }, { unique: true });
conversationSchema.index({ companyId: 1, last: -1 });
for (const p of PLATFORMS) {
  conversationSchema.index(
    { companyId: 1, [`platforms.${p}`]: -1 },
    { partialFilterExpression: { [`platforms.${p}`]: { $exists: true } }, name: `company_latest_${p}` },
  );
}
conversationSchema.plugin(tenantScoped);

export interface ConversationFields {
  _id: Types.ObjectId;
  companyId: Types.ObjectId;
  contactId: Types.ObjectId;
  last: string;
  platforms?: Partial<Record<Platform, string>>;
  unread?: Partial<Record<Platform, number>>;
}

export const Conversation = model('Conversation', conversationSchema);

/** The sort key of a message: `<created_at ISO>|<id hex>`. */
export function latestKey(createdAt: Date, id: Types.ObjectId | string): string {
  return `${createdAt.toISOString()}|${String(id)}`;
}

/** The message id a sort key names. */
export function idOfKey(key: string): string {
  return key.slice(key.lastIndexOf('|') + 1);
}
