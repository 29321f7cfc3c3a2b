/**
 * Connection state recovery: a dashboard that reconnects within SOCKET_RECOVERY_MS gets the events
 * it missed, in order, once, and keeps its rooms (Socket.io's feature; with the Redis adapter the
 * sessions and events live in Redis, so the reconnection may reach another process). Added here:
 * - Socket.io writes a restored session's missed events to the connection before the handshake
 *   middlewares run, so a user deactivated during the gap would receive them and only then be
 *   refused. They are held instead, and written once the handshake authenticated the same user,
 *   company and audience again.
 * - A dashboard that asked to recover (its handshake carries the `pid` of its last session) but
 *   could not be, or whose access changed meanwhile, gets `sync:required` and refetches.
 */
import type { ServerOptions } from 'socket.io';
import type { Config } from '../config/env';
import { audienceRoom, type SocketData } from './events/types';
import type { AppSocket } from './handlers';
import type { IoServer } from './realtime';

/** Socket.io's server options for recovery; SOCKET_RECOVERY_MS=0 turns it off. */
export function recoveryOptions(config: Pick<Config, 'socketRecoveryMs'>): Partial<ServerOptions> {
  if (config.socketRecoveryMs <= 0) return {};
  // Middlewares run on a recovered connection too: a revoked user is refused, not recovered.
  return { connectionStateRecovery: { maxDisconnectionDuration: config.socketRecoveryMs, skipMiddlewares: false } };
}

interface RestoredSession {
  sid: string;
  data: Partial<SocketData> | undefined;
  missedPackets: unknown[][];
}

interface SessionStore {
  restoreSession(pid: string, offset: string): Promise<RestoredSession | null> | null;
}

interface PacketWriter {
  packet(packet: { type: number; data: unknown[] }): void;
}

/** socket.io-parser's PacketType.EVENT. */
const EVENT_PACKET = 2;
/** A held session whose handshake never completed (refused, or the client left) is dropped after this. */
const HOLD_MS = 30_000;

export interface RecoveryGate {
  /** On `connection` (the handshake passed), before the handlers: replays, or asks for a refetch. */
  settle(socket: AppSocket): void;
}

const sameAccess = (before: Partial<SocketData> | undefined, now: SocketData): boolean =>
  before?.userId === now.userId &&
  before.companyId === now.companyId &&
  typeof before.role === 'string' &&
  audienceRoom(now.companyId, before.role) === audienceRoom(now.companyId, now.role);

export function gateRecovery(io: IoServer): RecoveryGate {
  const store = io.of('/').adapter as unknown as SessionStore;
  const restore = store.restoreSession.bind(store);
  const held = new Map<string, { session: RestoredSession; at: number }>();
  store.restoreSession = async (pid, offset) => {
    const session = await restore(pid, offset);
    if (!session) return session;
    const now = Date.now();
    for (const [sid, h] of held) if (now - h.at > HOLD_MS) held.delete(sid);
    held.set(session.sid, { session, at: now });
    return { ...session, missedPackets: [] };
  };

  return {
    settle(socket) {
      const session = held.get(socket.id)?.session;
      held.delete(socket.id);
      if (!socket.recovered) {
        const askedToRecover = typeof (socket.handshake.auth as { pid?: unknown }).pid === 'string';
        if (askedToRecover) socket.emit('sync:required', { reason: 'missed_events_unavailable' });
        return;
      }
      if (session && sameAccess(session.data, socket.data)) {
        // Synchronously after the CONNECT packet, so before any live event.
        for (const data of session.missedPackets) (socket as unknown as PacketWriter).packet({ type: EVENT_PACKET, data });
        return;
      }
      // Another user, company or audience than the session's: none of its rooms or events apply.
      for (const room of socket.rooms) if (room !== socket.id) void socket.leave(room);
      socket.emit('sync:required', { reason: session ? 'access_changed' : 'missed_events_unavailable' });
    },
  };
}
