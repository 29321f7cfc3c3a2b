/**
 * Client events of a connected dashboard. Each payload is validated; a malformed or missing one is
 * ignored with a warning and never throws. Conversation rooms are joined only for contacts of the
 * caller's company; typing goes only to a room the sender has joined; `message:read` is persisted
 * before `message:status` is announced.
 */
import { Types } from 'mongoose';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { Contact } from '../models/Contact';
import { markReadByIds } from '../services/message.service';
import type { Clock } from '../utils/clock';
import { logThrottle } from '../utils/logThrottle';
import { moduleLogger } from '../utils/logger';
import { guardedOn } from './guard';
import { ConversationPayload, MessageReadPayload } from '../validators/socket.schemas';
import {
  audienceRoom,
  companyRoom,
  conversationRoom,
  userRoom,
  type Ack,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from './events/types';

const log = moduleLogger('socket');
const throttled = logThrottle(log);

export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type MaybeAck = Ack | undefined;

function parse<S extends z.ZodType>(socket: AppSocket, event: string, schema: S, payload: unknown): z.infer<S> | undefined {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  throttled(`invalid:${event}:${socket.data.userId}`, 'warn', 'invalid socket payload ignored', {
    event,
    userId: socket.data.userId,
    problems: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
  });
  return undefined;
}

function reply(ack: MaybeAck, res: { ok: boolean; error?: string }): void {
  if (typeof ack === 'function') ack(res);
}

async function ownsContact(socket: AppSocket, contactId: string): Promise<boolean> {
  return (await Contact.exists({ _id: contactId, companyId: socket.data.companyId })) !== null;
}

/**
 * Registers a client event through the one socket guard (src/socket/guard.ts). `emit(event, ack)`
 * with no payload delivers the callback first: it is moved to the ack position.
 */
function handle(socket: AppSocket, event: string, fn: (payload: unknown, ack: MaybeAck) => Promise<void> | void): void {
  guardedOn(socket as unknown as Socket, event, (payload?: unknown, ack?: unknown) => {
    if (typeof payload === 'function' && ack === undefined) {
      ack = payload;
      payload = undefined;
    }
    return fn(payload, typeof ack === 'function' ? (ack as Ack) : undefined);
  });
}

export function registerHandlers(socket: AppSocket, clock: Clock): void {
  void socket.join([
    companyRoom(socket.data.companyId),
    audienceRoom(socket.data.companyId, socket.data.role),
    userRoom(socket.data.userId),
  ]);

  handle(socket, 'conversation:join', async (payload, ack) => {
    const p = parse(socket, 'conversation:join', ConversationPayload, payload);
    if (!p) return reply(ack, { ok: false, error: 'invalid payload' });
    if (!(await ownsContact(socket, p.conversationId))) {
      throttled(`join-refused:${socket.data.userId}`, 'warn', 'conversation:join refused: not a conversation of this company', {
        userId: socket.data.userId,
        conversationId: p.conversationId,
      });
      return reply(ack, { ok: false, error: 'conversation not found' });
    }
    await socket.join(conversationRoom(p.conversationId));
    reply(ack, { ok: true });
  });

  handle(socket, 'conversation:leave', async (payload, ack) => {
    const p = parse(socket, 'conversation:leave', ConversationPayload, payload);
    if (!p) return reply(ack, { ok: false, error: 'invalid payload' });
    await socket.leave(conversationRoom(p.conversationId));
    reply(ack, { ok: true });
  });

  const typing = (event: 'typing:start' | 'typing:stop', isTyping: boolean) =>
    handle(socket, event, (payload) => {
      const p = parse(socket, event, ConversationPayload, payload);
      if (!p) return;
      const room = conversationRoom(p.conversationId);
      if (!socket.rooms.has(room)) return;
      socket.to(room).emit('typing:indicator', { conversationId: p.conversationId, userId: socket.data.userId, isTyping });
    });
  typing('typing:start', true);
  typing('typing:stop', false);

  handle(socket, 'message:read', async (payload, ack) => {
    const p = parse(socket, 'message:read', MessageReadPayload, payload);
    if (!p) return reply(ack, { ok: false, error: 'invalid payload' });
    const now = clock.now();
    // Read receipts are about the customer's (inbound) messages of this company's conversation.
    const mine = await markReadByIds(new Types.ObjectId(socket.data.companyId), p.conversationId, p.messageIds, now);
    if (mine.length === 0) return reply(ack, { ok: false, error: 'no such messages' });
    socket.nsp.to(companyRoom(socket.data.companyId)).emit('message:status', {
      conversationId: p.conversationId,
      messageIds: mine,
      status: 'read',
      userId: socket.data.userId,
      timestamp: now.toISOString(),
    });
    reply(ack, { ok: true });
  });
}
