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
import { Message } from '../models/Message';
import type { Clock } from '../utils/clock';
import { moduleLogger } from '../utils/logger';
import { ConversationPayload, MessageReadPayload } from '../validators/socket.schemas';
import {
  companyRoom,
  conversationRoom,
  type Ack,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from './events/types';

const log = moduleLogger('socket');

export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type MaybeAck = Ack | undefined;

function parse<S extends z.ZodType>(socket: AppSocket, event: string, schema: S, payload: unknown): z.infer<S> | undefined {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  log.warn('invalid socket payload ignored', {
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

/** Wraps a handler so nothing it does can throw out of the socket. */
function guarded(socket: AppSocket, event: string, fn: (payload: unknown, ack: MaybeAck) => Promise<void> | void) {
  return (payload: unknown, ack?: unknown): void => {
    // emit(event, callback) with no payload: the callback arrives first.
    if (typeof payload === 'function' && ack === undefined) {
      ack = payload;
      payload = undefined;
    }
    Promise.resolve()
      .then(() => fn(payload, typeof ack === 'function' ? (ack as Ack) : undefined))
      .catch((err: Error) => {
        log.error('socket handler failed', { event, userId: socket.data.userId, error: err.message });
        if (typeof ack === 'function') (ack as (r: unknown) => void)({ ok: false, error: 'internal error' });
      });
  };
}

export function registerHandlers(socket: AppSocket, clock: Clock): void {
  void socket.join(companyRoom(socket.data.companyId));

  socket.on(
    'conversation:join',
    guarded(socket, 'conversation:join', async (payload, ack) => {
      const p = parse(socket, 'conversation:join', ConversationPayload, payload);
      if (!p) return reply(ack, { ok: false, error: 'invalid payload' });
      if (!(await ownsContact(socket, p.conversationId))) {
        log.warn('conversation:join refused: not a conversation of this company', {
          userId: socket.data.userId,
          conversationId: p.conversationId,
        });
        return reply(ack, { ok: false, error: 'conversation not found' });
      }
      await socket.join(conversationRoom(p.conversationId));
      reply(ack, { ok: true });
    }),
  );

  socket.on(
    'conversation:leave',
    guarded(socket, 'conversation:leave', async (payload, ack) => {
      const p = parse(socket, 'conversation:leave', ConversationPayload, payload);
      if (!p) return reply(ack, { ok: false, error: 'invalid payload' });
      await socket.leave(conversationRoom(p.conversationId));
      reply(ack, { ok: true });
    }),
  );

  const typing = (event: 'typing:start' | 'typing:stop', isTyping: boolean) =>
    guarded(socket, event, (payload) => {
      const p = parse(socket, event, ConversationPayload, payload);
      if (!p) return;
      const room = conversationRoom(p.conversationId);
      if (!socket.rooms.has(room)) return;
      socket.to(room).emit('typing:indicator', { conversationId: p.conversationId, userId: socket.data.userId, isTyping });
    });
  socket.on('typing:start', typing('typing:start', true));
  socket.on('typing:stop', typing('typing:stop', false));

  socket.on(
    'message:read',
    guarded(socket, 'message:read', async (payload, ack) => {
      const p = parse(socket, 'message:read', MessageReadPayload, payload);
      if (!p) return reply(ack, { ok: false, error: 'invalid payload' });
      const companyId = new Types.ObjectId(socket.data.companyId);
      // Read receipts are about the customer's (inbound) messages of this company's conversation.
      const filter = {
        company_id: companyId,
        contact_id: new Types.ObjectId(p.conversationId),
        direction: 'inbound',
        _id: { $in: p.messageIds.map((id) => new Types.ObjectId(id)) },
      };
      const mine = await Message.find(filter, { _id: 1 }).lean();
      if (mine.length === 0) return reply(ack, { ok: false, error: 'no such messages' });
      const now = clock.now();
      await Message.updateMany({ ...filter, read: { $ne: true } }, { $set: { read: true, read_at: now, updated_at: now } });
      socket.nsp.to(companyRoom(socket.data.companyId)).emit('message:status', {
        conversationId: p.conversationId,
        messageIds: mine.map((m) => String(m._id)),
        status: 'read',
        userId: socket.data.userId,
        timestamp: now.toISOString(),
      });
      reply(ack, { ok: true });
    }),
  );
}
