/**
 * The company's Google Calendar account (G1–G7): connect through OAuth with a signed, expiring,
 * single-use state bound to the company and the manager who started it (S-9), the calendars and
 * the one chosen, the auto-sync switch, and disconnect. Tokens are stored encrypted and never
 * leave the server; Google's failures become our own codes, never a 401 (the dashboard reads 401
 * as an expired session) and never Google's text (S20).
 */
import type { Types } from 'mongoose';
import type { Config } from '../../../config/env';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { User } from '../../../models/User';
import type { Clock } from '../../../utils/clock';
import { AppError } from '../../../utils/errors';
import { moduleLogger } from '../../../utils/logger';
import { encryptSecret, decryptSecret } from '../../../utils/secrets';
import { GoogleError, type CalendarEntry, type GoogleClient } from './google.client';
import { openConnection, saveRefreshedTokens, type GoogleConnection } from './googleConnection';
import { nonceHash, signState, verifyState } from './oauthState';

const log = moduleLogger('google');

/** Connect flows a company may have open at once (several managers, several tabs). */
const MAX_PENDING_FLOWS = 5;

export interface GoogleSettings {
  autoSync: boolean;
  calendarId: string;
  calendarName: string;
  accountEmail: string;
  connected: boolean;
  lastSync: Date | null;
}

export interface CallbackQuery {
  code?: string | undefined;
  state?: string | undefined;
  error?: string | undefined;
}

const notConnected = (message = 'GOOGLE_NOT_CONNECTED') => new AppError(400, 'GOOGLE_NOT_CONNECTED', message);
const invalidState = () => new AppError(400, 'INVALID_STATE', 'Invalid or corrupted state parameter');

/** A failed Google call, for the dashboard: refused credentials are a 400 to reconnect, the rest a 502. */
function upstream(err: unknown, code: string, what: string): unknown {
  if (!(err instanceof GoogleError)) return err;
  if (err.kind === 'auth') return notConnected('Google refused the stored access; connect Google Calendar again');
  return new AppError(502, code, `Google Calendar could not ${what} right now; try again in a moment`);
}

/** A stored token's plaintext, or undefined when it cannot be decrypted (then it cannot be revoked either). */
function readableWith(key: string): (stored: string) => string | undefined {
  return (stored) => {
    try {
      return decryptSecret(stored, key);
    } catch {
      return undefined;
    }
  };
}

export function createGoogleAccountService(deps: { config: Config; clock: Clock; google: GoogleClient }) {
  const { config, clock, google } = deps;
  const key = config.dataEncryptionKey;
  const connDeps = { google, dataEncryptionKey: key };
  const readable = readableWith(key);
  const redirect = (outcome: 'connected' | 'error', reason?: string): string =>
    `${config.frontendUrl.replace(/\/$/, '')}/settings/company?google=${outcome}${reason ? `&reason=${reason}` : ''}`;

  /** Runs `fn` on the company's connection (400 when not connected), then keeps refreshed tokens. */
  async function withConnection<T>(companyId: Types.ObjectId, fn: (c: GoogleConnection) => Promise<T>): Promise<T> {
    const conn = await openConnection(connDeps, companyId);
    if (!conn) throw notConnected();
    try {
      return await fn(conn);
    } finally {
      await saveRefreshedTokens(connDeps, conn);
    }
  }

  /** G1: the consent URL, with a state only this company's manager can complete, once, within 10 minutes. */
  async function authUrl(who: { companyId: Types.ObjectId; userId: Types.ObjectId }): Promise<string> {
    if (!google.configured) throw new AppError(400, 'GOOGLE_NOT_CONFIGURED', 'Google Calendar is not configured on this server');
    const { state, claims } = signState(key, { companyId: String(who.companyId), userId: String(who.userId) }, clock.now());
    const pending = { nonce: nonceHash(claims.nonce), userId: who.userId, expiresAt: claims.expiresAt };
    await CompanyIntegration.updateOne(
      { companyId: who.companyId },
      { $push: { googleOAuthPending: { $each: [pending], $slice: -MAX_PENDING_FLOWS } } },
      { upsert: true },
    );
    return google.authUrl(state);
  }

  /** G2: where the browser goes after Google's redirect. Throws for a request that is not a valid callback. */
  async function completeConnect(q: CallbackQuery): Promise<string> {
    // B25: a user who declines consent goes back to the dashboard too.
    if (q.error) return redirect('error', 'access_denied');
    if (!q.code) throw new AppError(400, 'MISSING_CODE', 'Missing code');
    if (!q.state) throw new AppError(400, 'MISSING_COMPANY', 'Missing companyId');
    const now = clock.now();
    const claims = verifyState(key, q.state, now);
    if (!claims) throw invalidState();
    // Single use: the flow's nonce is consumed before anything else happens.
    const hash = nonceHash(claims.nonce);
    const consumed = await CompanyIntegration.findOneAndUpdate(
      { companyId: claims.companyId, googleOAuthPending: { $elemMatch: { nonce: hash, userId: claims.userId, expiresAt: { $gt: now } } } },
      { $pull: { googleOAuthPending: { nonce: hash } } },
      { projection: { _id: 1 } },
    ).lean();
    if (!consumed) throw invalidState();
    // Bound to the manager who started it: one who left or lost the role meanwhile cannot finish it.
    const user = await User.findOne({ _id: claims.userId, companyId: claims.companyId }, { isActive: 1, role: 1, roles: 1 }).lean();
    if (!user || user.isActive === false || !(user.role === 'manager' || user.roles?.includes('manager'))) throw invalidState();
    if (!google.configured) return redirect('error', 'not_configured');
    try {
      return await storeConnection(claims.companyId, q.code);
    } catch (err) {
      log.warn('Google connect failed', { companyId: claims.companyId, error: (err as Error).message });
      return redirect('error', 'exchange_failed');
    }
  }

  /** Exchanges the code and stores the tokens (encrypted) in one write; nothing is written on failure. */
  async function storeConnection(companyId: string, code: string): Promise<string> {
    const tokens = await google.exchangeCode(code);
    if (!tokens.accessToken) throw new Error('Google returned no access token');
    const email = await google.accountEmail(tokens.accessToken);
    const set: Record<string, unknown> = { googleAccessToken: encryptSecret(tokens.accessToken, key) };
    if (tokens.refreshToken) set.googleRefreshToken = encryptSecret(tokens.refreshToken, key);
    if (tokens.expiresAt) set.googleTokenExpiresAt = tokens.expiresAt;
    if (email) set.googleAccountEmail = email;
    // Without a new refresh token the connection is only usable if one is already stored.
    const filter = tokens.refreshToken ? { companyId } : { companyId, googleRefreshToken: { $exists: true, $nin: [null, ''] } };
    const res = await CompanyIntegration.updateOne(filter, { $set: set });
    if (res.matchedCount === 0) throw new Error('Google returned no refresh token and none is stored');
    log.info('Google Calendar connected', { companyId });
    return redirect('connected');
  }

  /** G3 */
  async function calendars(companyId: Types.ObjectId): Promise<CalendarEntry[]> {
    return withConnection(companyId, (c) => c.session.listCalendars()).catch((err: unknown) => {
      throw upstream(err, 'LIST_FAILED', 'list the calendars');
    });
  }

  /** G4: the calendar must exist for this account; its name is looked up (best effort when Google is down). */
  async function selectCalendar(companyId: Types.ObjectId, calendarId: string): Promise<void> {
    const summary = await withConnection(companyId, (c) => c.session.calendarSummary(calendarId)).catch((err: unknown) => {
      if (err instanceof GoogleError && err.kind === 'transient') return '';
      if (err instanceof GoogleError && (err.kind === 'gone' || err.kind === 'invalid')) {
        throw new AppError(400, 'CALENDAR_NOT_FOUND', 'This Google account has no such calendar');
      }
      throw upstream(err, 'SELECT_FAILED', 'select the calendar');
    });
    await CompanyIntegration.updateOne({ companyId }, { $set: { googleCalendarId: calendarId, googleCalendarSummary: summary } });
  }

  /** G5: revokes at Google (best effort), then forgets the tokens, the calendar and the account. */
  async function disconnect(companyId: Types.ObjectId): Promise<void> {
    const i = await CompanyIntegration.findOne({ companyId }, { googleAccessToken: 1, googleRefreshToken: 1 }).lean();
    if (!i) return;
    const stored = [i.googleRefreshToken, i.googleAccessToken].filter((t): t is string => Boolean(t));
    if (google.configured) await Promise.all(stored.map((t) => readable(t)).map((t) => t && google.revoke(t)));
    await CompanyIntegration.updateOne(
      { companyId },
      {
        $unset: {
          googleAccessToken: 1,
          googleRefreshToken: 1,
          googleTokenExpiresAt: 1,
          googleCalendarId: 1,
          googleCalendarSummary: 1,
          // B25: the account is no longer connected, so its email is not kept either.
          googleAccountEmail: 1,
          googleOAuthPending: 1,
        },
      },
    );
    log.info('Google Calendar disconnected', { companyId: String(companyId) });
  }

  /** G6 (B-20: with no integration at all, sync is reported as it behaves: on once connected). */
  async function settings(companyId: Types.ObjectId): Promise<GoogleSettings> {
    const i = await CompanyIntegration.findOne(
      { companyId },
      {
        googleAutoSync: 1,
        googleCalendarId: 1,
        googleCalendarSummary: 1,
        googleAccountEmail: 1,
        googleRefreshToken: 1,
        lastGoogleSyncAt: 1,
      },
    ).lean();
    return {
      autoSync: i?.googleAutoSync !== false,
      calendarId: i?.googleCalendarId ?? '',
      calendarName: i?.googleCalendarSummary ?? '',
      accountEmail: i?.googleAccountEmail ?? '',
      connected: Boolean(i?.googleRefreshToken),
      lastSync: i?.lastGoogleSyncAt ?? null,
    };
  }

  /** G7 */
  async function setAutoSync(companyId: Types.ObjectId, autoSync: boolean): Promise<void> {
    await CompanyIntegration.updateOne({ companyId }, { $set: { googleAutoSync: autoSync } }, { upsert: true });
  }

  return { authUrl, completeConnect, calendars, selectCalendar, disconnect, settings, setAutoSync };
}

export type GoogleAccountService = ReturnType<typeof createGoogleAccountService>;
