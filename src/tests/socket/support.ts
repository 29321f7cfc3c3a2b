/**
 * Shared by the Socket.io suites: the app and the Socket.io server on one listening HTTP server
 * (port 0), real socket.io-client connections and event recorders (contacts and messages come
 * from ../factories/inbox).
 *
 * Proving that an event did NOT arrive uses an ordering barrier instead of a sleep: a server
 * writes to one connection in order, so once a socket gets the ack of a request sent after the
 * server produced the event, that event would already have arrived had it been sent to it.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { buildApp } from '../../app';
import type { Config } from '../../config/env';
import { createAccessVerifier } from '../../middleware/auth';
import type { ClientToServerEvents, ServerToClientEvents } from '../../socket/events/types';
import { socketRealtime, type Realtime } from '../../socket/realtime';
import { createScheduler } from '../../jobs/scheduler';
import { createSocketServer, type SocketServer } from '../../socket/socketServer';
import { newObjectId } from '../factories/accounts';
import { testConfig } from '../helpers/config';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** The same connection without the event map, to send what a well-behaved client never would. */
export type RawSocket = Socket;

export interface RealtimeServer {
  config: Config;
  url: string;
  sockets: SocketServer;
  /** A connected client (rejects with the connect_error). */
  connect(token: string): Promise<ClientSocket>;
  /** The connect_error message of a handshake that must fail (rejects if it connects). */
  connectError(auth: Record<string, unknown>): Promise<string>;
  /** Closes every client opened so far (afterEach). */
  closeClients(): void;
  close(): Promise<void>;
}

/** A dashboard-like client of the server at `url` (websocket only, no reconnection). */
export function openClient(url: string, auth: Record<string, unknown>): RawSocket {
  return io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
}

/** Resolves with the socket once connected; rejects with its connect_error. */
export function connected(s: RawSocket): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s as ClientSocket));
    s.once('connect_error', reject);
  });
}

export async function startRealtimeServer(env: Record<string, string> = {}): Promise<RealtimeServer> {
  const config = testConfig({ MESSAGE_RATE_LIMIT_MAX: '10000', CONVERSATION_RATE_LIMIT_MAX: '10000', ...env });
  // The app needs the realtime emitter before the socket server exists (as server.ts wires it).
  const bound: { realtime?: Realtime } = {};
  const late: Realtime = {
    messageNew: (c, e) => bound.realtime?.messageNew(c, e),
    messageStatus: (c, e) => bound.realtime?.messageStatus(c, e),
    appointment: (c, e, p) => bound.realtime?.appointment(c, e, p),
    disconnectUser: (u) => bound.realtime?.disconnectUser(u),
  };
  const verifyAccess = createAccessVerifier(config);
  const http: HttpServer = createServer(buildApp({ config, realtime: late, verifyAccess }));
  const scheduler = createScheduler();
  const sockets = createSocketServer(http, config, verifyAccess, scheduler);
  scheduler.start();
  bound.realtime = socketRealtime(sockets.io);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const clients = new Set<RawSocket>();
  const open = (auth: Record<string, unknown>): RawSocket => {
    const s = openClient(url, auth);
    clients.add(s);
    return s;
  };
  return {
    config,
    url,
    sockets,
    connect: (token) => connected(open({ token })),
    connectError: (auth) =>
      new Promise((resolve, reject) => {
        const s = open(auth);
        s.once('connect', () => reject(new Error('the handshake was expected to fail but the socket connected')));
        s.once('connect_error', (err) => resolve(err.message));
      }),
    closeClients: () => {
      for (const s of clients) s.close();
      clients.clear();
    },
    close: async () => {
      for (const s of clients) s.close();
      sockets.close();
      await scheduler.stop();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Every payload of `event` the socket receives from now on. */
export function record<E extends keyof ServerToClientEvents>(s: ClientSocket, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  (s as RawSocket).on(event as string, (payload: Parameters<ServerToClientEvents[E]>[0]) => seen.push(payload));
  return seen;
}

/** Resolves once `check()` is true; fails after `timeoutMs`. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The ordering barrier: a request with an ack on each socket, in parallel (see the file comment). */
export async function settle(...sockets: ClientSocket[]): Promise<void> {
  await Promise.all(sockets.map((s) => s.timeout(3000).emitWithAck('conversation:leave', { conversationId: newObjectId() })));
}

export async function join(s: ClientSocket, conversationId: unknown): Promise<{ ok: boolean; error?: string }> {
  return s.timeout(3000).emitWithAck('conversation:join', { conversationId: String(conversationId) });
}

/** Resolves with the reason once the socket is disconnected; fails after `timeoutMs`. */
export function disconnected(s: ClientSocket, timeoutMs = 5000): Promise<string> {
  if (!s.connected) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still connected after ${timeoutMs} ms`)), timeoutMs);
    s.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/**
 * One realtime server for the enclosing file or describe block: started before its tests, each
 * test's clients closed after it, stopped at the end. `ready` receives the server.
 */
export function useRealtimeServer(ready: (server: RealtimeServer) => void, env: Record<string, string> = {}): void {
  let server: RealtimeServer | undefined;
  beforeAll(async () => {
    server = await startRealtimeServer(env);
    ready(server);
  });
  afterEach(() => server?.closeClients());
  afterAll(async () => {
    await server?.close();
  });
}
