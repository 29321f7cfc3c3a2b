/**
 * The Redis connection for running several processes (REDIS_URL). Two clients: one for commands
 * (rate-limit counters, the Socket.io adapter's stream, publishing) and one for subscriptions. A
 * Redis that is down never stops the process or holds up a request: commands fail at once while
 * disconnected (no offline queue), the clients reconnect in the background with a capped backoff,
 * and every state change is logged once.
 */
import { createClient } from 'redis';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('redis');

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnection {
  /** Commands (and the Socket.io adapter). */
  client: RedisClient;
  /** Subscriptions only (a subscribed client cannot run other commands). */
  subscriber: RedisClient;
  /** Prefix of every key and channel this deployment uses. */
  keyPrefix: string;
  /** Whether both clients are connected now. */
  isReady(): boolean;
  /** Whether Redis answers a PING within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

function client(url: string, role: string): RedisClient {
  let down = false;
  const c = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      // 100 ms, 200 ms, ... up to 3 s between attempts, for as long as it takes.
      reconnectStrategy: (retries: number) => Math.min(100 * (retries + 1), 3000),
    },
  });
  c.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.error('Redis unreachable; retrying in the background', { role, error: err.message });
  });
  c.on('ready', () => {
    if (down) log.info('Redis reconnected', { role });
    down = false;
  });
  return c;
}

/**
 * Connects both clients. When Redis is not reachable at start, the process still starts: the
 * promise resolves at once and the clients keep trying (features that need Redis degrade meanwhile).
 */
export async function connectRedis(url: string, keyPrefix: string): Promise<RedisConnection> {
  const commands = client(url, 'commands');
  const subscriber = client(url, 'subscriber');
  const connected = Promise.all([commands.connect(), subscriber.connect()]);
  await Promise.race([connected, new Promise((resolve) => setTimeout(resolve, 2000).unref())]).catch(() => undefined);
  connected.catch(() => undefined);
  return {
    client: commands,
    subscriber,
    keyPrefix,
    isReady: () => commands.isReady && subscriber.isReady,
    async ping(timeoutMs = 1000) {
      if (!commands.isReady) return false;
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await Promise.race([
          commands.ping(),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs))),
        ]);
        return answer === 'PONG';
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      // QUIT needs a connection: a client that is down (or reconnecting) is dropped instead, so shutdown never waits on Redis.
      await Promise.all(
        [commands, subscriber].map(async (c) => {
          if (!c.isOpen) return;
          if (!c.isReady) return void c.destroy();
          await Promise.race([c.quit(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]).catch(() => undefined);
          if (c.isOpen) c.destroy();
        }),
      );
    },
  };
}
