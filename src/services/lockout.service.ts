/**
 * Account lockout: 5 failed logins for one account (email) within 15 minutes lock it for 30
 * minutes; while locked even the right password is refused (429 ACCOUNT_LOCKED with lockedUntil).
 * Checking and recording use the same normalised key. The per-IP rate limiter is separate.
 */
import { LoginAttempt } from '../models/LoginAttempt';
import type { Clock } from '../utils/clock';
import { AppError } from '../utils/errors';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('lockout');

export const MAX_FAILED_ATTEMPTS = 5;
export const ATTEMPT_WINDOW_MS = 15 * 60_000;
export const LOCKOUT_MS = 30 * 60_000;

function lockedError(lockedUntil: Date, now: Date): AppError {
  const minutes = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 60_000));
  return new AppError(
    429,
    'ACCOUNT_LOCKED',
    `Account is temporarily locked due to too many failed login attempts. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    { lockedUntil: lockedUntil.toISOString() },
  );
}

export function createLockoutService(clock: Clock) {
  const lockedNow = () => ({ lockedUntil: { $gt: clock.now() } });
  return {
    /** Whether the account is locked now. */
    async isLocked(email: string): Promise<boolean> {
      return (await LoginAttempt.exists({ email, ...lockedNow() })) !== null;
    },

    /** The accounts locked now (operators' clear:lockout --list). */
    listLocked: (): Promise<string[]> => LoginAttempt.distinct('email', lockedNow()),

    /** Throws 429 ACCOUNT_LOCKED while the account is locked. */
    async assertNotLocked(email: string): Promise<void> {
      const now = clock.now();
      const lock = await LoginAttempt.findOne({ email, lockedUntil: { $gt: now } })
        .sort({ lockedUntil: -1 })
        .lean();
      if (lock?.lockedUntil) throw lockedError(lock.lockedUntil, now);
    },

    /** Records a failure; the one that reaches the limit locks the account. */
    async recordFailure(email: string, ip: string): Promise<void> {
      const now = clock.now();
      await LoginAttempt.create({ email, ip, successful: false, createdAt: now, updatedAt: now });
      const failures = await LoginAttempt.countDocuments({
        email,
        successful: false,
        lockedUntil: { $exists: false },
        createdAt: { $gte: new Date(now.getTime() - ATTEMPT_WINDOW_MS) },
      });
      if (failures >= MAX_FAILED_ATTEMPTS) {
        const lockedUntil = new Date(now.getTime() + LOCKOUT_MS);
        await LoginAttempt.create({ email, ip, successful: false, lockedUntil, createdAt: now, updatedAt: now });
        log.warn('account locked after repeated failed logins', { email, failures, lockedUntil: lockedUntil.toISOString() });
      }
    },

    /** Records a success and forgets the account's recent failures. */
    async recordSuccess(email: string, ip: string): Promise<void> {
      const now = clock.now();
      await LoginAttempt.deleteMany({ email, successful: false, lockedUntil: { $exists: false } });
      await LoginAttempt.create({ email, ip, successful: true, createdAt: now, updatedAt: now });
    },

    /**
     * Lifts every lock (operator action): the locks and every failed attempt go, so the next
     * failed login starts from zero (the original kept the failures, which re-locked at once);
     * successful logins stay. Returns the accounts that were locked before.
     */
    async clearAll(): Promise<{ previouslyLocked: string[]; removed: number }> {
      const previouslyLocked = await LoginAttempt.distinct('email', lockedNow());
      const res = await LoginAttempt.deleteMany({ successful: false });
      return { previouslyLocked, removed: res.deletedCount };
    },

    /** Removes every attempt and lock of the account (operator action). */
    async clear(email: string): Promise<number> {
      const res = await LoginAttempt.deleteMany({ email });
      return res.deletedCount;
    },
  };
}

export type LockoutService = ReturnType<typeof createLockoutService>;
