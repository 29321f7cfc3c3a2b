/**
 * A company's Google connection as the services use it: the integration read, its tokens
 * decrypted into a Calendar session, and, after use, tokens the client refreshed written back
 * encrypted (B-21), unless the company disconnected or reconnected meanwhile.
 */
import type { Types } from 'mongoose';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { moduleLogger } from '../../../utils/logger';
import { decryptSecret, encryptSecret } from '../../../utils/secrets';
import type { CalendarSession, GoogleClient } from './google.client';

const log = moduleLogger('google');

type Id = Types.ObjectId | string;

export interface GoogleConnection {
  companyId: Id;
  calendarId: string | undefined;
  autoSync: boolean;
  session: CalendarSession;
  /** The refresh token as stored (encrypted): a later write is conditional on it. */
  storedRefreshToken: string;
}

export interface ConnectionDeps {
  google: GoogleClient;
  dataEncryptionKey: string;
}

/** The company's connection, or null when no refresh token is stored (not connected). */
export async function openConnection(deps: ConnectionDeps, companyId: Id): Promise<GoogleConnection | null> {
  const i = await CompanyIntegration.findOne(
    { companyId },
    { googleAccessToken: 1, googleRefreshToken: 1, googleTokenExpiresAt: 1, googleCalendarId: 1, googleAutoSync: 1 },
  ).lean();
  if (!i?.googleRefreshToken) return null;
  const key = deps.dataEncryptionKey;
  const session = deps.google.session({
    refreshToken: decryptSecret(i.googleRefreshToken, key),
    accessToken: i.googleAccessToken ? decryptSecret(i.googleAccessToken, key) : undefined,
    expiresAt: i.googleTokenExpiresAt ?? undefined,
  });
  return {
    companyId,
    calendarId: i.googleCalendarId || undefined,
    autoSync: i.googleAutoSync !== false,
    session,
    storedRefreshToken: i.googleRefreshToken,
  };
}

/** Persists tokens the session refreshed (encrypted); never fails the caller. */
export async function saveRefreshedTokens(deps: ConnectionDeps, conn: GoogleConnection): Promise<void> {
  const t = conn.session.refreshed();
  if (!t?.accessToken) return;
  const key = deps.dataEncryptionKey;
  const set: Record<string, unknown> = { googleAccessToken: encryptSecret(t.accessToken, key) };
  if (t.expiresAt) set.googleTokenExpiresAt = t.expiresAt;
  if (t.refreshToken) set.googleRefreshToken = encryptSecret(t.refreshToken, key);
  try {
    await CompanyIntegration.updateOne({ companyId: conn.companyId, googleRefreshToken: conn.storedRefreshToken }, { $set: set });
  } catch (err) {
    log.warn('could not store a refreshed Google access token', { companyId: String(conn.companyId), error: (err as Error).message });
  }
}
