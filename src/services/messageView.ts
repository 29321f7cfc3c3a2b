/** How messages leave the server: the REST document (snake_case [COMPAT]) and the socket payload. */
import type { MessageFields } from '../models/Message';
import type { MessageNewEvent, MessagePayload } from '../socket/events/types';

/** Outbox bookkeeping that is not part of the message a client sees. */
const INTERNAL_FIELDS = ['delivery_locked_until', 'delivery_lock_owner', 'delivery_next_attempt_at', 'delivery_key'] as const;

/** A projection that leaves the outbox bookkeeping out (what messageJson would remove). */
export const WITHOUT_INTERNAL_FIELDS: Record<string, 0> = Object.fromEntries(INTERNAL_FIELDS.map((f) => [f, 0]));

/** A stored message as the REST API returns it (ObjectIds and dates serialise as hex and ISO). */
export function messageJson(doc: MessageFields | Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(doc as Record<string, unknown>) };
  for (const f of INTERNAL_FIELDS) delete out[f];
  return out;
}

export function socketPayload(doc: MessageFields): MessagePayload {
  return {
    id: String(doc._id),
    contactId: String(doc.contact_id),
    content: doc.content ?? '',
    direction: doc.direction as 'inbound' | 'outbound',
    timestamp: (doc.created_at ?? new Date()).toISOString(),
    read: doc.read === true,
    delivered: doc.delivered === true,
    role: doc.role,
    platform: doc.platform,
    ...(doc.attachments && doc.attachments.length > 0 ? { attachments: doc.attachments } : {}),
    ...(doc.delivery_status ? { deliveryStatus: doc.delivery_status } : {}),
  };
}

export function messageNewEvent(doc: MessageFields): MessageNewEvent {
  return { conversationId: String(doc.contact_id), message: socketPayload(doc) };
}
