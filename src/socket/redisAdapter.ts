/**
 * Socket.io across processes (REDIS_URL): the official Redis Streams adapter. Each broadcast is
 * appended to one stream (`<prefix>socket.io`) that every process reads, so an event emitted on any
 * process reaches the room's sockets on all of them, in order; the stream also keeps the recent
 * events for connection state recovery (sessions under `<prefix>sio:session:<pid>`). While Redis
 * is down, each process still delivers its own events to its own sockets, and tells them to
 * refetch once Redis is back (they may have missed other processes' events meanwhile).
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { RedisClient, RedisConnection } from '../config/redis';
import { moduleLogger } from '../utils/logger';
import type { IoServer } from './realtime';

const log = moduleLogger('socket-redis');

/**
 * Entries the stream keeps (trimmed approximately): about 160 events a second over the default
 * two-minute recovery window. A dashboard whose offset was trimmed is sent `sync:required`.
 */
export const STREAM_MAX_LEN = 20_000;

export function redisStreamsAdapter(redis: RedisConnection): ReturnType<typeof createAdapter> {
  return createAdapter(adapterClient(redis.client), {
    streamName: `${redis.keyPrefix}socket.io`,
    channelPrefix: `${redis.keyPrefix}socket.io`,
    sessionKeyPrefix: `${redis.keyPrefix}sio:session:`,
    maxLen: STREAM_MAX_LEN,
  });
}

/**
 * Our command client as the adapter (0.3.1, written for node-redis v4 and ioredis) should see it:
 * - It duplicates the client for its blocking XREAD loop and its subscriptions. A duplicate of ours
 *   has no offline queue, so while Redis is down every XREAD would fail at once, and the loop, which
 *   retries at once, would spin on rejected promises and starve the event loop: the process would
 *   stop answering. Its duplicates queue their commands until Redis is back instead. Publishing
 *   keeps failing fast, so a broadcast still reaches this process's sockets at once.
 * - It stores a disconnected socket's session with a SET whose failure it leaves unhandled: logged here.
 */
function adapterClient(client: RedisClient): RedisClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'duplicate') return () => target.duplicate({ disableOfflineQueue: false });
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop !== 'set') return fn.bind(target);
      return (...args: unknown[]) => {
        const result = fn.apply(target, args) as Promise<unknown>;
        result.catch((err: Error) => log.warn('socket session not stored in Redis; it cannot be recovered', { error: err.message }));
        return result;
      };
    },
  });
}

/**
 * After Redis was unreachable, this process's sockets may have missed events emitted on other
 * processes (and theirs, events emitted here): each process tells its own sockets to refetch.
 */
export function notifyAfterRedisOutage(io: IoServer, redis: RedisConnection): void {
  let down = false;
  redis.client.on('error', () => {
    down = true;
  });
  redis.client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('Redis is back: connected sockets are asked to refetch');
    io.local.emit('sync:required', { reason: 'missed_events_unavailable' });
  });
}
