/**
 * The Socket.io server, sharing the HTTP listener: ping every 25 s, 60 s timeout, and the same
 * CORS allow-list as REST.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Config } from '../config/env';

export const SOCKET_OPTIONS = { pingInterval: 25_000, pingTimeout: 60_000 } as const;

export function createSocketServer(http: HttpServer, config: Config): Server {
  return new Server(http, {
    ...SOCKET_OPTIONS,
    cors: { origin: config.corsOrigins, credentials: true, methods: ['GET', 'POST'] },
  });
}
