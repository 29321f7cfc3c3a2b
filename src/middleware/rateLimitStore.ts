/**
 * Where a rate limiter counts when several processes share the work (REDIS_URL): in Redis
 * (rate-limit-redis), so a limit holds across processes, falling back to this process's memory
 * while Redis is unreachable, failing or slow.
 *
 * The trade-off during an outage: each process counts on its own, so a client may get up to N times
 * the limit across N processes, and hits counted in Redis before the outage are not seen. Refusing
 * requests instead would turn a Redis outage into an API outage, and not limiting at all would open
 * login to brute force; per-process counting is what one process did before Redis. Hits counted in
 * memory are not copied to Redis when it returns (they expire with their window).
 */
import { MemoryStore, type ClientRateLimitInfo, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { RedisConnection } from '../config/redis';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('rateLimit');

export interface FallbackTiming {
  /** How long one Redis call may take before the request is counted in memory instead. */
  timeoutMs: number;
  /** After a failure, how long the limiters count in memory before trying Redis again. */
  retryMs: number;
}

const DEFAULT_TIMING: FallbackTiming = { timeoutMs: 500, retryMs: 1000 };

/** One per Redis connection, shared by its limiters: one log line per outage, one retry clock. */
interface Outage {
  since: number | undefined;
  retryAt: number;
}

const outages = new WeakMap<RedisConnection, Outage>();

function outageOf(redis: RedisConnection): Outage {
  let outage = outages.get(redis);
  if (!outage) {
    outage = { since: undefined, retryAt: 0 };
    outages.set(redis, outage);
  }
  return outage;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A store for one limiter: keys `${keyPrefix}rl:${name}:<client key>` in Redis, else in memory. */
export function redisOrMemoryStore(redis: RedisConnection, name: string, timing: FallbackTiming = DEFAULT_TIMING): Store {
  const prefix = `${redis.keyPrefix}rl:${name}:`;
  const memory = new MemoryStore();
  const outage = outageOf(redis);
  let options: Options | undefined;
  // Made again after a failure: rate-limit-redis keeps the promise of its script load, and one
  // rejected while Redis was down would fail every later call.
  let remote: { store: RedisStore; loaded: Promise<void> } | undefined;

  const remoteStore = (): { store: RedisStore; loaded: Promise<void> } => {
    if (!remote) {
      if (!options) throw new Error(`rate limiter ${name}: store used before init`);
      const store = new RedisStore({ prefix, sendCommand: (...args: string[]) => redis.client.sendCommand(args) as Promise<RedisReply> });
      remote = { store, loaded: store.init(options) };
    }
    return remote;
  };

  const down = (reason: string): void => {
    if (outage.since !== undefined) return;
    outage.since = Date.now();
    log.warn('Redis unreachable: rate limits are counted in this process only until it returns', { limiter: name, reason });
  };

  const up = (): void => {
    if (outage.since === undefined) return;
    log.info('Redis reachable: rate limits are counted in Redis again', { limiter: name, outageMs: Date.now() - outage.since });
    outage.since = undefined;
  };

  /** `op` in Redis when it is connected and answers in time, else `local` in memory; never throws for Redis. */
  const either = async <T>(op: (store: RedisStore) => Promise<T>, local: () => Promise<T>): Promise<T> => {
    if (!redis.client.isReady) {
      down('not connected');
      return local();
    }
    if (Date.now() < outage.retryAt) return local();
    const attempt = (async () => {
      const r = remoteStore();
      await r.loaded;
      return op(r.store);
    })();
    // A call that times out may still fail later: keep that from being an unhandled rejection.
    attempt.catch(() => undefined);
    try {
      const value = await withTimeout(attempt, timing.timeoutMs);
      up();
      return value;
    } catch (err) {
      // Connected but failing or slow: count in memory for a while rather than make every request wait.
      remote = undefined;
      outage.retryAt = Date.now() + timing.retryMs;
      down((err as Error).message);
      return local();
    }
  };

  return {
    prefix,
    localKeys: false,
    init(opts: Options): void {
      options = opts;
      memory.init(opts);
    },
    increment: (key: string): Promise<IncrementResponse> =>
      either(
        (s) => s.increment(key),
        () => memory.increment(key),
      ),
    decrement: (key: string): Promise<void> =>
      either(
        (s) => s.decrement(key),
        () => memory.decrement(key),
      ),
    get: (key: string): Promise<ClientRateLimitInfo | undefined> =>
      either(
        (s) => s.get(key),
        () => memory.get(key),
      ),
    // A reset must hold wherever the next request is counted.
    resetKey: async (key: string): Promise<void> => {
      await memory.resetKey(key);
      await either(
        (s) => s.resetKey(key),
        () => Promise.resolve(),
      );
    },
    shutdown: () => memory.shutdown(),
  };
}
