/**
 * Conversation messages → `messages`, shared with the Meta Bot: snake_case fields, hand-set
 * created_at/updated_at, attachment sub-documents with their own _id [COMPAT]. Operator messages
 * to Facebook/Instagram also carry their delivery state; the outbox (src/services/outbox.service.ts)
 * claims queued ones atomically, so two processes never send the same message.
 */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { tenantScoped } from './plugins/tenantScoped';

export const MESSAGE_ROLES = ['user', 'operator', 'assistant'] as const;
export const PLATFORMS = ['instagram', 'facebook', 'telegram', 'whatsapp', 'web', 'other'] as const;
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export const DELIVERY_STATES = ['queued', 'sent', 'failed'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const MAX_CONTENT = 5000;

const attachmentSchema = new Schema({
  type: { type: String, required: true },
  url: { type: String, required: true },
  file_description: { type: String },
});

const messageSchema = new Schema(
  {
    company_id: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    contact_id: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    role: { type: String, required: true, enum: MESSAGE_ROLES },
    platform: { type: String, required: true, enum: PLATFORMS },
    content: { type: String, default: '', maxlength: MAX_CONTENT },
    attachments: { type: [attachmentSchema], default: [] },
    direction: { type: String, required: true, enum: DIRECTIONS },
    external_message_id: { type: String },
    delivered: { type: Boolean, default: false },
    read: { type: Boolean, default: false },
    read_at: { type: Date },
    reply_to: { type: String },
    created_at: { type: Date, default: Date.now },
    updated_at: { type: Date, default: Date.now },
    /** Outbound delivery through the Meta Bot (operator messages to Facebook/Instagram only). */
    delivery_status: { type: String, enum: DELIVERY_STATES },
    delivery_error: { type: String },
    delivery_attempts: { type: Number },
    delivery_next_attempt_at: { type: Date },
    delivery_locked_until: { type: Date },
    delivery_lock_owner: { type: String },
    delivery_key: { type: String },
    delivered_at: { type: Date },
  },
  { versionKey: '__v' },
);

messageSchema.index({ contact_id: 1, platform: 1, created_at: 1 });
messageSchema.index({ company_id: 1, platform: 1, created_at: -1 });
messageSchema.index({ company_id: 1, contact_id: 1, created_at: -1 });
messageSchema.index({ contact_id: 1, created_at: -1 });
messageSchema.index(
  { company_id: 1, platform: 1, external_message_id: 1 },
  { unique: true, partialFilterExpression: { external_message_id: { $type: 'string' } }, name: 'unique_external_message_id' },
);
messageSchema.index({ delivery_status: 1, delivery_next_attempt_at: 1 }, { partialFilterExpression: { delivery_status: 'queued' } });
messageSchema.plugin(tenantScoped, { field: 'company_id' });

export type MessageFields = InferSchemaType<typeof messageSchema> & { _id: Types.ObjectId };
export const Message = model('Message', messageSchema);
