/**
 * The user behind an access token, read on every authenticated request (HTTP and socket
 * handshake) so deactivation and deletion take effect. Answers are kept for AUTH_USER_CACHE_MS
 * (2 s by default; 0 turns it off): the inbox's hottest paths then skip this read, a change made
 * through this process (staff update, deactivation, deletion) is forgotten at once, and a change
 * made elsewhere shows within that bound.
 */
import { Types } from 'mongoose';
import { User, type UserFields } from '../models/User';
import { ttlCache, type TtlCache } from '../utils/ttlCache';

export type AuthUserRecord = Pick<
  UserFields,
  '_id' | 'email' | 'role' | 'roles' | 'companyId' | 'fullName' | 'color' | 'isActive' | 'passwordChangedAt'
>;

const caches = new Set<TtlCache<string, AuthUserRecord | null>>();

export function createAuthUserLookup(ttlMs: number) {
  const cache = ttlCache<string, AuthUserRecord | null>(ttlMs, 20_000);
  caches.add(cache);
  return async (userId: string): Promise<AuthUserRecord | null> => {
    const hit = cache.get(userId);
    if (hit !== undefined) return hit;
    const user = (await User.collection.findOne(
      { _id: new Types.ObjectId(userId) },
      { projection: { email: 1, role: 1, roles: 1, companyId: 1, fullName: 1, color: 1, isActive: 1, passwordChangedAt: 1 } },
    )) as AuthUserRecord | null;
    cache.set(userId, user);
    return user;
  };
}

/** Drops what any lookup of this process remembers about a user (after changing or deleting it). */
export function forgetAuthUser(userId: string): void {
  for (const c of caches) c.delete(userId);
}
