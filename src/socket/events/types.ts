/**
 * The Socket.io event map shared by the server and tests [COMPAT names and payloads]:
 * rooms `company:<id>` and `conversation:<contactId>` (and `user:<id>`, to drop a user's sockets
 * on every process).
 */

export interface MessagePayload {
  id: string;
  contactId: string;
  content: string;
  direction: 'inbound' | 'outbound';
  timestamp: string;
  read: boolean;
  delivered: boolean;
  [extra: string]: unknown;
}

export interface MessageNewEvent {
  conversationId: string;
  message: MessagePayload;
}

export interface MessageStatusEvent {
  conversationId: string;
  messageIds: string[];
  status: 'read' | 'sent' | 'failed';
  userId?: string;
  timestamp: string;
  error?: string;
}

export interface TypingIndicatorEvent {
  conversationId: string;
  userId: string;
  isTyping: boolean;
}

export interface AppointmentEvent {
  appointment: Record<string, unknown>;
}

/**
 * Sent to a dashboard that reconnected but could not be given the events it missed (it was away
 * longer than SOCKET_RECOVERY_MS, its process restarted without Redis, or its user's access
 * changed meanwhile): it refetches what it shows and joins its open conversation again.
 */
export interface SyncRequiredEvent {
  reason: 'missed_events_unavailable' | 'access_changed';
}

export interface ServerToClientEvents {
  'message:new': (e: MessageNewEvent) => void;
  'message:status': (e: MessageStatusEvent) => void;
  'typing:indicator': (e: TypingIndicatorEvent) => void;
  'appointment:created': (e: AppointmentEvent) => void;
  'appointment:updated': (e: AppointmentEvent) => void;
  'appointment:canceled': (e: AppointmentEvent) => void;
  'sync:required': (e: SyncRequiredEvent) => void;
}

export type Ack = (res: { ok: boolean; error?: string }) => void;

export interface ClientToServerEvents {
  'conversation:join': (p: { conversationId: string }, ack?: Ack) => void;
  'conversation:leave': (p: { conversationId: string }, ack?: Ack) => void;
  'typing:start': (p: { conversationId: string }) => void;
  'typing:stop': (p: { conversationId: string }) => void;
  'message:read': (p: { conversationId: string; messageIds: string[] }, ack?: Ack) => void;
}

export interface SocketData {
  userId: string;
  companyId: string;
  role: string;
  /** Access-token issue time (epoch ms): a password change after it ends the connection. */
  tokenIat: number;
  /** Access-token expiry (epoch ms): the connection is dropped after it. */
  tokenExp: number;
}

export const companyRoom = (companyId: string): string => `company:${companyId}`;

export type AppointmentEventName = 'appointment:created' | 'appointment:updated' | 'appointment:canceled';

/** Roles that see customers' phone numbers and emails in appointment events (S-8). */
export const CONTACT_DETAIL_ROLES: readonly string[] = ['manager', 'receptionist'];

/**
 * Each socket of a company also joins one audience room: `full` for roles that see customer
 * contact details, `limited` for the others, so an appointment event is encoded once per audience.
 */
export const audienceRoom = (companyId: string, role: string): string =>
  `company:${companyId}:${CONTACT_DETAIL_ROLES.includes(role) ? 'full' : 'limited'}`;
export const conversationRoom = (contactId: string): string => `conversation:${contactId}`;
export const userRoom = (userId: string): string => `user:${userId}`;
