/**
 * The user behind an access token, read on every authenticated request (HTTP and socket
 * handshake) so deactivation and deletion take effect. Answers are kept for AUTH_USER_CACHE_MS
 * (2 s by default; 0 turns it off): the inbox's hottest paths then skip this read, a change made
 * through the staff API (update, deactivation, deletion) is forgotten at once, by every process
 * when they share Redis, and a change made elsewhere (a script, the database) shows within that bound.
 */
import { Types } from 'mongoose';
import type { RedisConnection } from '../config/redis';
import { User, type UserFields } from '../models/User';
import { moduleLogger } from '../utils/logger';
import { ttlCache, type TtlCache } from '../utils/ttlCache';

const log = moduleLogger('auth-users');

export type AuthUserRecord = Pick<
  UserFields,
  '_id' | 'email' | 'role' | 'roles' | 'companyId' | 'fullName' | 'color' | 'isActive' | 'passwordChangedAt'
>;

const caches = new Set<TtlCache<string, AuthUserRecord | null>>();
/** Counts forgets: a read that overlapped one may have fetched the user before the change, and is not kept. */
let forgets = 0;
/** Tells the other processes (set by shareAuthUserForgetting). */
let publish: ((userId: string) => void) | undefined;

export function createAuthUserLookup(ttlMs: number) {
  const cache = ttlCache<string, AuthUserRecord | null>(ttlMs, 20_000);
  caches.add(cache);
  return async (userId: string): Promise<AuthUserRecord | null> => {
    const hit = cache.get(userId);
    if (hit !== undefined) return hit;
    const before = forgets;
    const user = (await User.collection.findOne(
      { _id: new Types.ObjectId(userId) },
      { projection: { email: 1, role: 1, roles: 1, companyId: 1, fullName: 1, color: 1, isActive: 1, passwordChangedAt: 1 } },
    )) as AuthUserRecord | null;
    if (forgets === before) cache.set(userId, user);
    return user;
  };
}

function forgetHere(userId: string): void {
  forgets++;
  for (const c of caches) c.delete(userId);
}

/** Drops what any lookup remembers about a user (after changing or deleting it), on every process. */
export function forgetAuthUser(userId: string): void {
  forgetHere(userId);
  publish?.(userId);
}

/**
 * Shares forgets through Redis (`<prefix>auth:forget`). Redis being down never reaches the caller:
 * a failed publish is logged, and the cache's time limit bounds what other processes still believe.
 */
export function shareAuthUserForgetting(redis: RedisConnection): void {
  const channel = `${redis.keyPrefix}auth:forget`;
  const onMessage = (userId: string): void => forgetHere(userId);
  // A subscription made while Redis is unreachable fails; it is made again once the subscriber is
  // ready (node-redis restores an existing one after a reconnection by itself).
  const subscribe = (): void => {
    redis.subscriber
      .subscribe(channel, onMessage)
      .catch((err: Error) => log.warn('auth cache subscription failed', { error: err.message }));
  };
  redis.subscriber.on('ready', subscribe);
  if (redis.subscriber.isReady) subscribe();
  publish = (userId) => {
    Promise.resolve()
      .then(() => redis.client.publish(channel, userId))
      .catch((err: Error) => log.warn('auth cache forget not shared with other processes', { userId, error: err.message }));
  };
}
