/**
 * What services use to publish real-time events after a write commits. The Socket.io
 * implementation emits to rooms; tests and tools without sockets use `recordingRealtime()`.
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
  /**
   * Whether anyone is in the company's room. The in-memory adapter of this (one) process knows
   * every socket, so an event nobody would receive is not encoded at all.
   */
  const listening = (room: string): boolean => (io.of('/').adapter.rooms.get(room)?.size ?? 0) > 0;
  const toCompany = (companyId: string, what: 'message:new' | 'message:status', emit: (room: string) => void): void => {
    const room = companyRoom(companyId);
    if (listening(room)) safe(what, () => emit(room));
  };
  return {
    messageNew: (companyId, event) => toCompany(companyId, 'message:new', (room) => io.to(room).emit('message:new', event)),
    messageStatus: (companyId, event) => toCompany(companyId, 'message:status', (room) => io.to(room).emit('message:status', event)),
    appointment: (companyId, event, payload) => {
      for (const audience of ['full', 'limited'] as const) {
        const room = audienceRoom(companyId, audience === 'full' ? 'manager' : 'groomer');
        if (listening(room)) safe(event, () => io.to(room).emit(event, payload[audience]));
      }
    },
    disconnectUser: (userId) =>
      safe('disconnect', () => {
        for (const s of io.of('/').sockets.values()) if (s.data.userId === userId) s.disconnect(true);
      }),
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
