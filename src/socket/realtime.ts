/**
 * What services use to publish real-time events after a write commits. The Socket.io
 * implementation emits to rooms (on every process, with the Redis adapter); tests and tools
 * without sockets use `recordingRealtime()`.
 */
import type { Server } from 'socket.io';
import { moduleLogger } from '../utils/logger';
import {
  audienceRoom,
  companyRoom,
  type AppointmentEventName,
  type ClientToServerEvents,
  type AppointmentEvent,
  type MessageNewEvent,
  type MessageStatusEvent,
  type ServerToClientEvents,
  type SocketData,
  userRoom,
} from './events/types';

const log = moduleLogger('realtime');

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface Realtime {
  messageNew(companyId: string, event: MessageNewEvent): void;
  messageStatus(companyId: string, event: MessageStatusEvent): void;
  /**
   * An appointment change, after it committed: managers and receptionists get `full`, other
   * roles `limited` (no customer phone or email, S-8).
   */
  appointment(companyId: string, event: AppointmentEventName, payload: { full: AppointmentEvent; limited: AppointmentEvent }): void;
  /** Drops the sockets of a user (deactivated, deleted, signed out everywhere). */
  disconnectUser(userId: string): void;
}

export function socketRealtime(io: IoServer): Realtime {
  const safe = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      log.error(`emit ${what} failed`, { error: (err as Error).message });
    }
  };
  // Every event is emitted, even to a room with no socket here: the room's sockets may be on
  // another process, or disconnected for a moment and owed the event when they recover.
  return {
    messageNew: (companyId, event) => safe('message:new', () => io.to(companyRoom(companyId)).emit('message:new', event)),
    messageStatus: (companyId, event) => safe('message:status', () => io.to(companyRoom(companyId)).emit('message:status', event)),
    appointment: (companyId, event, payload) => {
      for (const audience of ['full', 'limited'] as const) {
        const room = audienceRoom(companyId, audience === 'full' ? 'manager' : 'groomer');
        safe(event, () => io.to(room).emit(event, payload[audience]));
      }
    },
    // With the Redis adapter this reaches the user's sockets on every process.
    disconnectUser: (userId) => safe('disconnect', () => io.in(userRoom(userId)).disconnectSockets(true)),
  };
}

export interface RecordedEvent {
  event: string;
  companyId?: string;
  payload?: unknown;
  userId?: string;
}

/** A Realtime that remembers what was published (for tests of HTTP routes without sockets). */
export function recordingRealtime(): Realtime & { events: RecordedEvent[] } {
  const events: RecordedEvent[] = [];
  return {
    events,
    messageNew: (companyId, payload) => void events.push({ event: 'message:new', companyId, payload }),
    messageStatus: (companyId, payload) => void events.push({ event: 'message:status', companyId, payload }),
    appointment: (companyId, event, payload) => void events.push({ event, companyId, payload }),
    disconnectUser: (userId) => void events.push({ event: 'disconnect', userId }),
  };
}

/** Publishes nothing. */
export const silentRealtime: Realtime = {
  messageNew: () => undefined,
  messageStatus: () => undefined,
  appointment: () => undefined,
  disconnectUser: () => undefined,
};
