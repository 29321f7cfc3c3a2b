/** Request schemas of /api/v1/messages, /api/v1/conversations and the Meta Bot's message endpoints. */
import { z } from 'zod';
import { DIRECTIONS, MAX_CONTENT, MESSAGE_ROLES, PLATFORMS } from '../models/Message';
import { objectId } from './common.schemas';

export const platform = z.enum(PLATFORMS, { message: 'Invalid platform' });
const limit = z.coerce.number().int().min(1).max(200).default(50);
const skip = z.coerce.number().int().min(0).max(1_000_000).default(0);
const MAX_ATTACHMENTS = 10;

/**
 * Attachments as the original normalised them [COMPAT]: a non-array is [], items that are not
 * objects or have no http(s) `url` are dropped, `type` defaults to 'file', `file_description` to ''.
 */
export const attachments = z.preprocess(
  (v) =>
    (Array.isArray(v) ? v : [])
      .filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null && typeof (a as { url?: unknown }).url === 'string')
      .filter((a) => /^https?:\/\/\S+$/i.test(String(a.url)))
      .map((a) => ({
        type: typeof a.type === 'string' && a.type ? a.type.slice(0, 50) : 'file',
        url: String(a.url).slice(0, 2000),
        file_description: typeof a.file_description === 'string' ? a.file_description.slice(0, 500) : '',
      })),
  z
    .array(z.object({ type: z.string(), url: z.string(), file_description: z.string() }))
    .max(MAX_ATTACHMENTS, `At most ${MAX_ATTACHMENTS} attachments`),
);

const content = z
  .string({ message: 'content must be a string' })
  .trim()
  .max(MAX_CONTENT, `content must be at most ${MAX_CONTENT} characters`);

/** M1. Server-controlled fields the original let clients set (dates, read flags) are ignored. */
export const MessageCreateBody = z.object({
  company_id: objectId,
  contact_id: objectId,
  role: z.enum(MESSAGE_ROLES, { message: 'Invalid role' }),
  platform,
  direction: z.enum(DIRECTIONS, { message: 'Invalid direction' }),
  content: content.optional(),
  external_message_id: z.string().max(200).optional(),
  attachments: attachments.optional(),
});
export type MessageCreateBody = z.infer<typeof MessageCreateBody>;

/** A page of one contact's history: optional platform, limit/skip, and a `before` cursor (a message id or an ISO date). */
const historyPage = { platform: platform.optional(), limit, skip, before: z.string().max(64).optional() };

/** M2 (body) and GET /messages?contact_id= (query). */
export const ListByContactBody = z.object({ contact_id: objectId, ...historyPage });
export type ListByContactBody = z.infer<typeof ListByContactBody>;
export const MessageListQuery = ListByContactBody;

export const CompanyCustomersBody = z.object({
  company_id: objectId.optional(),
  platform: platform.default('instagram'),
  limit,
  skip,
});
export type CompanyCustomersBody = z.infer<typeof CompanyCustomersBody>;

/** M4 (contact_id) and C3 (contactId), parsed to one `contactId`. */
export const MarkReadBody = z
  .object({ contact_id: objectId.optional(), contactId: objectId.optional(), platform: platform.optional() })
  .transform((b, ctx) => {
    const contactId = b.contact_id ?? b.contactId;
    if (!contactId) {
      ctx.addIssue({ code: 'custom', message: 'contact_id is required and must be valid.', path: ['contact_id'] });
      return z.NEVER;
    }
    return { contactId, platform: b.platform };
  });
export type MarkReadBody = z.infer<typeof MarkReadBody>;

export const MessageIdBody = z.object({ _id: objectId });
export type MessageIdBody = z.infer<typeof MessageIdBody>;

/** M6: only these fields can change (the original applied the whole body). */
export const MessageUpdateBody = z
  .object({
    _id: objectId,
    content: content.optional(),
    attachments: attachments.optional(),
    read: z.boolean().optional(),
  })
  .strict();
export type MessageUpdateBody = z.infer<typeof MessageUpdateBody>;

export const ConversationListBody = z.object({
  company_id: objectId.optional(),
  platform: z.union([z.literal('all'), platform]).default('all'),
  limit,
  skip,
});
export type ConversationListBody = z.infer<typeof ConversationListBody>;

export const ConversationMessagesBody = z.object({ contactId: objectId, ...historyPage });
export type ConversationMessagesBody = z.infer<typeof ConversationMessagesBody>;

export const ToggleBotBody = z.object({
  contactId: objectId,
  botSuspended: z.boolean({ message: 'botSuspended must be a boolean' }).optional(),
  botSuspendUntil: z.union([z.string().max(64), z.null()]).optional(),
  contactType: z.string().max(20).optional(),
});
export type ToggleBotBody = z.infer<typeof ToggleBotBody>;

/** S1/S2 [COMPAT validators]; extra keys inside `message` pass through to the event. */
export const EmitMessageBody = z.object({
  companyId: z.string({ message: 'Valid companyId is required' }),
  conversationId: z.string({ message: 'Valid conversationId is required' }),
  message: z
    .object(
      {
        id: z.string({ message: 'Message id is required' }),
        contactId: z.string({ message: 'Message contactId is required' }),
        content: z.string({ message: 'Message content must be a string' }).optional(),
        direction: z.enum(DIRECTIONS, { message: 'Invalid message direction' }),
        timestamp: z.iso.datetime({ offset: true, message: 'Invalid timestamp format' }).optional(),
      },
      { message: 'Message object is required' },
    )
    .passthrough(),
});
export type EmitMessageBody = z.infer<typeof EmitMessageBody>;

/** POST /api/v1/internal/messages: the Meta Bot saves a message and has it announced in one call. */
export const IngestMessageBody = z
  .object({
    company_id: objectId,
    platform,
    /** The platform's message id (Graph `mid`): the same id twice stores one message. */
    external_message_id: z.string().min(1).max(200),
    role: z.enum(MESSAGE_ROLES).default('user'),
    direction: z.enum(DIRECTIONS).default('inbound'),
    content: content.default(''),
    attachments: attachments.default([]),
    created_at: z.iso.datetime({ offset: true }).optional(),
    /** The contact: an existing id, or the customer's id on the platform (PSID/IGSID/phone). */
    contact_id: objectId.optional(),
    customer_social_id: z.string().min(1).max(200).optional(),
    profile: z
      .object({
        name: z.string().max(200).optional(),
        picture: z.string().max(2000).optional(),
        gender: z.string().max(50).optional(),
        locale: z.string().max(50).optional(),
        timezone: z.string().max(50).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((b) => b.contact_id || b.customer_social_id, {
    message: 'contact_id or customer_social_id is required',
    path: ['customer_social_id'],
  });
export type IngestMessageBody = z.infer<typeof IngestMessageBody>;
