/**
 * Refresh-token sessions: issue, rotate, revoke. One login starts a family; each refresh rotates
 * the presented token (revoked, successor issued). Presenting a rotated token again means it was
 * stolen or replayed, and the whole family is revoked, except within a short grace window after
 * the rotation, because the dashboard refreshes from several places at once with the same cookie.
 */
import type { ClientSession, Types } from 'mongoose';
import { RefreshToken } from '../models/RefreshToken';
import type { Clock } from '../utils/clock';
import { moduleLogger } from '../utils/logger';
import { hashToken, invalidRefresh, newFamilyId, type TokenService } from './token.service';

const log = moduleLogger('sessions');

export const ROTATION_GRACE_MS = 10_000;

export interface IssuedRefresh {
  token: string;
  expiresAt: Date;
}

export function createSessionService(tokens: TokenService, clock: Clock) {
  const issue = async (
    userId: Types.ObjectId | string,
    familyId: string,
    meta: { ip?: string | undefined; userAgent?: string | undefined },
    session?: ClientSession,
  ): Promise<IssuedRefresh> => {
    const signed = tokens.signRefresh(String(userId), familyId);
    await RefreshToken.create(
      [
        {
          userId,
          token: signed.hash,
          familyId,
          expiresAt: signed.expiresAt,
          ...(meta.ip ? { ip: meta.ip } : {}),
          ...(meta.userAgent ? { userAgent: meta.userAgent.slice(0, 300) } : {}),
        },
      ],
      session ? { session } : {},
    );
    return { token: signed.token, expiresAt: signed.expiresAt };
  };

  const revokeFamily = async (familyId: string, reason: string): Promise<void> => {
    await RefreshToken.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: clock.now(), revokedReason: reason } });
  };

  return {
    /** A new session (login, registration). */
    start: (userId: Types.ObjectId | string, meta: { ip?: string | undefined; userAgent?: string | undefined }, session?: ClientSession) =>
      issue(userId, newFamilyId(), meta, session),

    /**
     * Rotates a presented refresh token. Returns the user id and the successor token; throws 401
     * INVALID_REFRESH_TOKEN for anything else (and revokes the family on reuse).
     */
    async rotate(
      presented: string,
      meta: { ip?: string | undefined; userAgent?: string | undefined },
    ): Promise<{ userId: string; refresh: IssuedRefresh; familyId: string; presentedIssuedAt: Date }> {
      /** The next token of the presented one's session, and when the presented one was issued. */
      const successor = async (r: { userId: Types.ObjectId; familyId: string; createdAt: Date }) => ({
        userId: String(r.userId),
        familyId: r.familyId,
        presentedIssuedAt: r.createdAt,
        refresh: await issue(r.userId, r.familyId, meta),
      });
      const claims = tokens.verifyRefresh(presented);
      const hash = hashToken(presented);
      const now = clock.now();
      const row = await RefreshToken.findOneAndUpdate(
        { token: hash, revokedAt: null, expiresAt: { $gt: now } },
        { $set: { revokedAt: now, rotatedAt: now, revokedReason: 'rotated' } },
        { new: false },
      ).lean();
      if (!row) {
        const existing = await RefreshToken.findOne({ token: hash }).lean();
        if (!existing) throw invalidRefresh();
        const inGrace =
          existing.rotatedAt && existing.revokedReason === 'rotated' && now.getTime() - existing.rotatedAt.getTime() <= ROTATION_GRACE_MS;
        const familyRevoked = await RefreshToken.exists({
          familyId: existing.familyId,
          revokedReason: { $in: ['reuse', 'logout', 'password_changed', 'user_inactive'] },
        });
        if (!inGrace || familyRevoked) {
          if (!familyRevoked) {
            log.warn('refresh token reuse detected; revoking its session', {
              userId: String(existing.userId),
              familyId: existing.familyId,
            });
            await revokeFamily(existing.familyId, 'reuse');
          }
          throw invalidRefresh();
        }
        // A concurrent refresh rotated this token a moment ago: this one succeeds too.
        return successor(existing);
      }
      if (String(row.userId) !== claims.userId || row.familyId !== claims.fam) {
        await revokeFamily(row.familyId, 'reuse');
        throw invalidRefresh();
      }
      return successor(row);
    },

    revokeFamily,

    /** Ends the session a refresh token belongs to (logout). Unknown tokens are ignored. */
    async end(presented: string): Promise<void> {
      const row = await RefreshToken.findOne({ token: hashToken(presented) }).lean();
      if (row) await revokeFamily(row.familyId, 'logout');
    },

    /** Revokes every session of a user (password change, deactivation, deletion). */
    async revokeUser(userId: Types.ObjectId | string, reason: string): Promise<void> {
      await RefreshToken.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: clock.now(), revokedReason: reason } });
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
