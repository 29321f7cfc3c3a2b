/**
 * The one client for Google (OAuth 2.0 and Calendar v3), built from config on google-auth-library's
 * OAuth2Client: the token and revoke endpoints (GOOGLE_OAUTH_URL) and the API (GOOGLE_API_URL) are
 * configurable so tests and staging run against local fakes; every call is bounded by
 * GOOGLE_TIMEOUT_MS and never retried here (the sync job retries with backoff). Failures leave as
 * GoogleError: a kind, the status and a reason of our own, never Google's text nor the request
 * (whose headers and body carry tokens).
 */
import { OAuth2Client, type Credentials } from 'google-auth-library';
import type { Config } from '../../../config/env';

export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/calendar.events',
  'https://www.googleapis.com/auth/calendar.readonly',
  // B25: without it the account's email can never be read.
  'https://www.googleapis.com/auth/userinfo.email',
];

/**
 * auth: the stored credentials were refused (revoked, expired refresh token); gone: 404/410;
 * conflict: 409; invalid: a request Google will never accept; transient: worth retrying.
 */
export type GoogleErrorKind = 'auth' | 'gone' | 'conflict' | 'invalid' | 'transient';

export class GoogleError extends Error {
  constructor(
    readonly kind: GoogleErrorKind,
    readonly status: number | undefined,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'GoogleError';
  }
}

export interface GoogleTokens {
  accessToken?: string | undefined;
  refreshToken?: string | undefined;
  expiresAt?: Date | undefined;
}

export interface CalendarEntry {
  id: string;
  summary: string;
  primary: boolean;
}

export interface CalendarEvent {
  id?: string;
  summary: string;
  description: string;
  start: { dateTime: string };
  end: { dateTime: string };
  extendedProperties?: { private: Record<string, string> };
}

/** Calendar calls with one company's credentials; the client refreshes the access token as needed. */
export interface CalendarSession {
  listCalendars(): Promise<CalendarEntry[]>;
  calendarSummary(calendarId: string): Promise<string>;
  insertEvent(calendarId: string, event: CalendarEvent): Promise<string>;
  updateEvent(calendarId: string, eventId: string, event: CalendarEvent): Promise<void>;
  deleteEvent(calendarId: string, eventId: string): Promise<void>;
  /** The new tokens, when the client refreshed them during this session (to be persisted, B-21). */
  refreshed(): GoogleTokens | undefined;
}

export interface GoogleClient {
  /** Whether GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and GOOGLE_REDIRECT_URI are all set. */
  readonly configured: boolean;
  authUrl(state: string): string;
  exchangeCode(code: string): Promise<GoogleTokens>;
  /** The account's email (best effort: undefined when Google does not say). */
  accountEmail(accessToken: string): Promise<string | undefined>;
  /** Revokes a token at Google; failures are ignored (the local copy is dropped anyway). */
  revoke(token: string): Promise<void>;
  session(tokens: GoogleTokens & { refreshToken: string }): CalendarSession;
}

/** Google's reasons for a 403 that mean "slow down", not "forbidden". */
const RATE_LIMITED = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);
const MAX_CALENDAR_PAGES = 10;

interface GaxiosLike {
  response?: { status?: number; headers?: unknown; data?: unknown };
  config?: { url?: unknown };
}

function retryAfterMs(headers: unknown): number | undefined {
  const raw = headers instanceof Headers ? headers.get('retry-after') : (headers as Record<string, string> | undefined)?.['retry-after'];
  const seconds = Number(raw);
  return raw && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** What went wrong, in our words: the error's request and Google's text are never kept. */
export function toGoogleError(err: unknown, tokenUrl: string): GoogleError {
  if (err instanceof GoogleError) return err;
  const e = err as GaxiosLike;
  const status = e?.response?.status;
  if (!status) return new GoogleError('transient', undefined, 'Google did not answer (timeout or network error)');
  const fromTokenEndpoint = String(e.config?.url ?? '').startsWith(tokenUrl);
  if (fromTokenEndpoint && status < 500 && status !== 429) {
    return new GoogleError('auth', status, `Google refused the stored credentials (${status}); connect Google Calendar again`);
  }
  if (status === 401) return new GoogleError('auth', status, 'Google refused the access token (401)');
  if (status === 404 || status === 410) return new GoogleError('gone', status, `Google answered ${status} (not found)`);
  if (status === 409) return new GoogleError('conflict', status, 'Google answered 409 (already exists)');
  const data = e.response?.data as { error?: { errors?: { reason?: unknown }[] } } | undefined;
  const reason = data?.error?.errors?.[0]?.reason;
  if (status === 403 && !(typeof reason === 'string' && RATE_LIMITED.has(reason))) {
    return new GoogleError('invalid', status, 'Google answered 403 (no access to this calendar)');
  }
  if (status === 403 || status === 408 || status === 429 || status >= 500) {
    return new GoogleError('transient', status, `Google answered ${status}`, retryAfterMs(e.response?.headers));
  }
  return new GoogleError('invalid', status, `Google answered ${status}`);
}

export function createGoogleClient(config: Config): GoogleClient {
  const g = config.google;
  const tokenUrl = `${g.oauthUrl}/token`;
  const configured = Boolean(g.clientId && g.clientSecret && g.redirectUri);
  const calendar = `${g.apiUrl}/calendar/v3`;
  const enc = encodeURIComponent;

  const oauth = (): OAuth2Client =>
    new OAuth2Client({
      clientId: g.clientId,
      clientSecret: g.clientSecret,
      redirectUri: g.redirectUri,
      endpoints: { oauth2TokenUrl: tokenUrl, oauth2RevokeUrl: `${g.oauthUrl}/revoke`, tokenInfoUrl: `${g.oauthUrl}/tokeninfo` },
      // A 401 with a stored access token gets one refresh and one retry.
      forceRefreshOnFailure: true,
      // Node's own fetch (gaxios would otherwise import node-fetch dynamically, which jest's VM refuses).
      transporterOptions: { timeout: g.timeoutMs, retryConfig: { retry: 0, noResponseRetries: 0 }, fetchImplementation: fetch },
    });

  const fromCredentials = (c: Credentials): GoogleTokens => ({
    accessToken: c.access_token ?? undefined,
    refreshToken: c.refresh_token ?? undefined,
    expiresAt: c.expiry_date ? new Date(c.expiry_date) : undefined,
  });

  async function call<T>(client: OAuth2Client, method: string, url: string, data?: unknown): Promise<T> {
    try {
      const res = await client.request<T>({ method: method as 'GET', url, ...(data !== undefined ? { data } : {}), responseType: 'json' });
      return res.data;
    } catch (err) {
      throw toGoogleError(err, tokenUrl);
    }
  }

  return {
    configured,
    authUrl: (state) =>
      oauth().generateAuthUrl({ access_type: 'offline', prompt: 'consent', scope: GOOGLE_SCOPES, state, include_granted_scopes: true }),
    async exchangeCode(code) {
      try {
        const { tokens } = await oauth().getToken(code);
        return fromCredentials(tokens);
      } catch (err) {
        const e = toGoogleError(err, tokenUrl);
        throw e.kind === 'auth' ? new GoogleError('invalid', e.status, 'Google refused the authorization code') : e;
      }
    },
    async accountEmail(accessToken) {
      const client = oauth();
      client.setCredentials({ access_token: accessToken });
      const info = await call<{ email?: unknown }>(client, 'GET', `${g.apiUrl}/oauth2/v2/userinfo`).catch(() => undefined);
      return typeof info?.email === 'string' ? info.email : undefined;
    },
    async revoke(token) {
      await oauth()
        .revokeToken(token)
        .catch(() => undefined);
    },
    session(tokens) {
      const client = oauth();
      client.setCredentials({
        refresh_token: tokens.refreshToken,
        ...(tokens.accessToken ? { access_token: tokens.accessToken } : {}),
        ...(tokens.expiresAt ? { expiry_date: tokens.expiresAt.getTime() } : {}),
      });
      let refreshed: GoogleTokens | undefined;
      client.on('tokens', (t: Credentials) => {
        refreshed = { ...refreshed, ...fromCredentials(t) };
      });
      return {
        async listCalendars() {
          const found: CalendarEntry[] = [];
          let pageToken: string | undefined;
          for (let page = 0; page < MAX_CALENDAR_PAGES; page++) {
            const query = pageToken ? `?pageToken=${enc(pageToken)}` : '';
            const res = await call<{ items?: { id?: unknown; summary?: unknown; primary?: unknown }[]; nextPageToken?: unknown }>(
              client,
              'GET',
              `${calendar}/users/me/calendarList${query}`,
            );
            for (const c of res.items ?? []) {
              if (typeof c.id === 'string') found.push({ id: c.id, summary: String(c.summary ?? ''), primary: c.primary === true });
            }
            pageToken = typeof res.nextPageToken === 'string' ? res.nextPageToken : undefined;
            if (!pageToken) break;
          }
          return found;
        },
        async calendarSummary(calendarId) {
          const res = await call<{ summary?: unknown }>(client, 'GET', `${calendar}/calendars/${enc(calendarId)}`);
          return typeof res.summary === 'string' ? res.summary : '';
        },
        async insertEvent(calendarId, event) {
          const res = await call<{ id?: unknown }>(client, 'POST', `${calendar}/calendars/${enc(calendarId)}/events`, event);
          if (typeof res.id !== 'string') throw new GoogleError('transient', 200, 'Google answered an insert without an event id');
          return res.id;
        },
        async updateEvent(calendarId, eventId, event) {
          await call(client, 'PUT', `${calendar}/calendars/${enc(calendarId)}/events/${enc(eventId)}`, event);
        },
        async deleteEvent(calendarId, eventId) {
          await call(client, 'DELETE', `${calendar}/calendars/${enc(calendarId)}/events/${enc(eventId)}`);
        },
        refreshed: () => refreshed,
      };
    },
  };
}
