/**
 * Inbox conversations, written as history through the ingest service (what POST
 * /api/v1/internal/messages runs for the Meta Bot): the contact is found or created by its social
 * id, the message and the conversation summary are stored in one transaction, and each message's
 * platform id (`seed-demo-<key>-<n>`) makes a second run store nothing.
 *
 * Outbound messages go in this way too, never through the message service: that one queues an
 * operator's Facebook/Instagram message (`delivery_status: 'queued'`) for the outbox, which would
 * send it to the Meta Bot. Ingested messages are history the Meta Bot already delivered
 * (`delivered: true`, no `delivery_status`), which the outbox never claims.
 */
import type { Types } from 'mongoose';
import type { IngestService } from '../services/ingest.service';
import type { MessageService } from '../services/message.service';
import { addDays, localDate, wallTime } from '../services/booking/time';
import { IngestMessageBody } from '../validators/message.schemas';
import { DEMO_CONVERSATIONS } from './conversationData';
import { DEMO_COMPANY } from './data';
import type { StepTracker } from './step';

type CompanyId = Types.ObjectId;

export const messageCount = (): number => DEMO_CONVERSATIONS.reduce((n, c) => n + c.messages.length, 0);

export interface ConversationDeps {
  ingest: IngestService;
  messages: MessageService;
  now: number;
  /** Who read the conversations marked read (the receptionist). */
  readerId: string;
}

export async function seedConversations(companyId: CompanyId, deps: ConversationDeps, t: StepTracker): Promise<void> {
  const zone = DEMO_COMPANY.timezone;
  const today = localDate(deps.now, zone);
  for (const conv of DEMO_CONVERSATIONS) {
    let contactId: string | undefined;
    for (const [i, m] of conv.messages.entries()) {
      // Never in the future: this morning's messages of a run at dawn are written "just now", in order.
      const at = Math.min(wallTime(addDays(today, -m.daysAgo), m.at, zone), deps.now - (conv.messages.length - i) * 1000);
      const body = IngestMessageBody.parse({
        company_id: String(companyId),
        platform: conv.platform,
        external_message_id: `seed-demo-${conv.key}-${i + 1}`,
        role: m.role,
        direction: m.direction,
        content: m.content,
        created_at: new Date(at).toISOString(),
        customer_social_id: conv.socialId,
        ...(conv.profileName ? { profile: { name: conv.profileName } } : {}),
      });
      const result = await deps.ingest.ingest(body);
      if (result.duplicate) t.existing();
      else t.created();
      contactId = result.contactId;
    }
    // Nothing unread is left after the first run, so a second one writes nothing here.
    if (conv.read && contactId) await deps.messages.markRead(companyId, deps.readerId, contactId);
  }
  t.note(`${DEMO_CONVERSATIONS.length} conversations`);
}
