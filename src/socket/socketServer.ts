/**
 * The Socket.io server, sharing the HTTP listener: ping every 25 s, 60 s timeout, the same CORS
 * allow-list as REST, handshake auth, the company room on connect, the client event handlers,
 * and a sweep that drops connections whose access token expired or whose user is no longer active.
 * With Redis, the Streams adapter joins the processes (src/socket/redisAdapter.ts); in both modes
 * a dashboard back within SOCKET_RECOVERY_MS recovers its missed events (src/socket/recovery.ts).
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Config } from '../config/env';
import type { RedisConnection } from '../config/redis';
import type { Scheduler } from '../jobs/scheduler';
import { issuedBeforePasswordChange, type AccessVerifier } from '../middleware/auth';
import { crossTenant } from '../models/plugins/tenantScoped';
import { User } from '../models/User';
import { countSocket } from '../metrics/socket';
import { systemClock, type Clock } from '../utils/clock';
import { moduleLogger } from '../utils/logger';
import { dropReservedEvents, logSocketErrors } from './guard';
import { registerHandlers, type AppSocket } from './handlers';
import type { IoServer } from './realtime';
import { gateRecovery, recoveryOptions } from './recovery';
import { notifyAfterRedisOutage, redisStreamsAdapter } from './redisAdapter';
import { socketAuthMiddleware } from './socketAuth';

const log = moduleLogger('socket');

export const SOCKET_OPTIONS = { pingInterval: 25_000, pingTimeout: 60_000 } as const;

export interface SocketServer {
  io: IoServer;
  /** Checks every connection once (the sweep calls it on its interval). */
  sweep(): Promise<number>;
  close(): void;
}

export interface SocketServerOptions {
  /** Several processes share rooms, revocations and recovery through it (REDIS_URL). */
  redis?: RedisConnection;
  clock?: Clock;
}

/** The sweep runs as the scheduler's `socket-auth-sweep` job, every SOCKET_AUTH_SWEEP_MS. */
export function createSocketServer(
  http: HttpServer,
  config: Config,
  verify: AccessVerifier,
  scheduler: Scheduler,
  options: SocketServerOptions = {},
): SocketServer {
  const { redis, clock = systemClock } = options;
  const io: IoServer = new Server(http, {
    ...SOCKET_OPTIONS,
    cors: { origin: config.corsOrigins, credentials: true, methods: ['GET', 'POST'] },
    ...recoveryOptions(config),
    ...(redis ? { adapter: redisStreamsAdapter(redis) } : {}),
  });
  if (redis) notifyAfterRedisOutage(io, redis);
  const recovery = gateRecovery(io);
  io.use(socketAuthMiddleware(verify));
  io.on('connection', (socket: AppSocket) => {
    // Before any handler: reserved names from clients are dropped, and server-side `error`
    // events always have a listener (an EventEmitter `error` without one throws).
    dropReservedEvents(socket as unknown as Socket);
    logSocketErrors(socket as unknown as Socket);
    countSocket(socket as unknown as Socket);
    try {
      recovery.settle(socket);
      registerHandlers(socket, clock);
      log.debug('socket connected', { userId: socket.data.userId, companyId: socket.data.companyId });
    } catch (err) {
      log.error('socket set-up failed; connection closed', { userId: socket.data.userId, error: (err as Error).message });
      socket.disconnect(true);
    }
  });

  const sweep = async (): Promise<number> => {
    const sockets = [...io.of('/').sockets.values()] as AppSocket[];
    if (sockets.length === 0) return 0;
    const now = clock.now().getTime();
    let dropped = 0;
    const live: AppSocket[] = [];
    for (const s of sockets) {
      if (s.data.tokenExp <= now) {
        s.disconnect(true);
        dropped++;
      } else live.push(s);
    }
    const ids = [...new Set(live.map((s) => s.data.userId))];
    if (ids.length > 0) {
      const active = await crossTenant(User.find({ _id: { $in: ids }, isActive: { $ne: false } }, { _id: 1, passwordChangedAt: 1 })).lean();
      const changedAt = new Map(active.map((u) => [String(u._id), u.passwordChangedAt ?? null]));
      for (const s of live) {
        const user = changedAt.get(s.data.userId);
        // Gone, inactive, or its password changed after this token was issued.
        if (user === undefined || issuedBeforePasswordChange(s.data.tokenIat, user)) {
          s.disconnect(true);
          dropped++;
        }
      }
    }
    if (dropped > 0) log.info('sockets dropped (token expired or user inactive)', { dropped });
    return dropped;
  };

  scheduler.add({ name: 'socket-auth-sweep', intervalMs: config.socketAuthSweepMs, run: sweep });

  return {
    io,
    sweep,
    // Connections are closed, not disconnected by the server: clients reconnect (to another
    // process, or to this one restarted) and recover what they missed while away.
    close: () => {
      io.engine.close();
      void Promise.resolve(io.of('/').adapter.close()).catch((err: Error) =>
        log.warn('socket adapter close failed', { error: err.message }),
      );
    },
  };
}
