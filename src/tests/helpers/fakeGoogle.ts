/**
 * A fake Google: a real HTTP server on 127.0.0.1 answering what the backend calls, as Google does.
 * OAuth (GOOGLE_OAUTH_URL): POST /token (authorization_code, refresh_token), POST /revoke.
 * API (GOOGLE_API_URL): GET /oauth2/v2/userinfo, and Calendar v3: calendarList, calendars/:id, and
 * events insert (client-chosen ids in base32hex; 409 for an id already used, deleted ones
 * included), update (404 unknown, 410 deleted), delete. Every API call needs a live access token
 * (401 otherwise). Failures are scripted per request; every request is recorded.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `hang` never answers; `lost` does the work and never answers (the answer is lost on the way back). */
export type GoogleStep = 'error500' | 'rateLimited' | 'unauthorized' | 'badRequest' | 'hang' | 'lost';

export interface GoogleRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The scripted failure it got, if any. */
  step?: GoogleStep;
}

export interface FakeEvent {
  id: string;
  summary: string;
  description: string;
  start: { dateTime: string };
  end: { dateTime: string };
  deleted: boolean;
}

export interface FakeGoogle {
  readonly url: string;
  readonly requests: GoogleRequest[];
  readonly clientId: string;
  readonly clientSecret: string;
  /** An authorization code the token endpoint accepts once (Google omits the refresh token when asked to). */
  issueCode(options?: { email?: string; withRefreshToken?: boolean }): string;
  /** Every token the fake issued (to check none is stored or logged in plaintext). */
  issuedTokens(): string[];
  addCalendar(id: string, summary: string, primary?: boolean): void;
  /** Live (not deleted) events of a calendar. */
  events(calendarId: string): FakeEvent[];
  /** The event deleted by someone in Google Calendar. */
  deleteOnGoogle(calendarId: string, eventId: string): void;
  /** The next requests whose path matches get these answers, in order. */
  fail(steps: GoogleStep[], match?: RegExp): void;
  /** Scripted failures not used yet are dropped: Google is healthy again. */
  recover(): void;
  /** Access tokens stop working (as after an hour); refresh tokens still do. */
  expireAccessTokens(): void;
  /** Refresh tokens stop working (the user revoked the app). */
  revokeAll(): void;
  calls(method: string, path: RegExp): GoogleRequest[];
  close(): Promise<void>;
}

const EVENT_ID = /^[a-v0-9]{5,1024}$/;

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const clientId = 'fake-client-id.apps.googleusercontent.com';
  const clientSecret = `fake-client-secret-${randomBytes(6).toString('hex')}`;
  const requests: GoogleRequest[] = [];
  const codes = new Map<string, { email: string; withRefreshToken: boolean }>();
  const access = new Map<string, string>(); // access token → email
  const refresh = new Map<string, string>(); // refresh token → email
  const issued: string[] = [];
  const calendars = new Map<string, { summary: string; primary: boolean; events: Map<string, FakeEvent> }>();
  const failures: { step: GoogleStep; match: RegExp }[] = [];
  const held = new Set<ServerResponse>();
  let n = 0;

  const token = (prefix: string): string => {
    const t = `${prefix}${++n}-${randomBytes(12).toString('base64url')}`;
    issued.push(t);
    return t;
  };
  /** Responses whose work is done but whose answer is never sent. */
  const lost = new WeakSet<ServerResponse>();
  const send = (res: ServerResponse, status: number, body?: unknown): void => {
    if (res.destroyed || lost.has(res)) return;
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const apiError = (res: ServerResponse, status: number, message: string, reason = 'error'): void =>
    send(res, status, { error: { code: status, message, errors: [{ message, reason }] } });

  const hold = (res: ServerResponse): void => {
    held.add(res);
    res.on('close', () => held.delete(res));
  };

  function scripted(res: ServerResponse, step: GoogleStep): void {
    if (step === 'hang') hold(res);
    else if (step === 'error500') apiError(res, 500, 'Backend Error: internal detail ya29.secret-looking-text', 'backendError');
    else if (step === 'rateLimited') {
      res.setHeader('Retry-After', '0');
      apiError(res, 429, 'Rate Limit Exceeded', 'rateLimitExceeded');
    } else if (step === 'unauthorized') apiError(res, 401, 'Invalid Credentials', 'authError');
    else apiError(res, 400, 'Bad Request', 'badRequest');
  }

  function oauth(res: ServerResponse, path: string, form: URLSearchParams, query: URLSearchParams): void {
    if (path === '/revoke') {
      const t = query.get('token') ?? form.get('token') ?? '';
      access.delete(t);
      refresh.delete(t);
      send(res, 200, {});
      return;
    }
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
      send(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
      return;
    }
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      if (!code) return send(res, 400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      codes.delete(form.get('code')!);
      const at = token('ya29.fake-access-');
      access.set(at, code.email);
      const rt = code.withRefreshToken ? token('1//fake-refresh-') : undefined;
      if (rt) refresh.set(rt, code.email);
      return send(res, 200, {
        access_token: at,
        expires_in: 3599,
        token_type: 'Bearer',
        scope: 'calendar',
        ...(rt ? { refresh_token: rt } : {}),
      });
    }
    if (grant === 'refresh_token') {
      const email = refresh.get(form.get('refresh_token') ?? '');
      if (!email) return send(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      const at = token('ya29.fake-access-');
      access.set(at, email);
      return send(res, 200, { access_token: at, expires_in: 3599, token_type: 'Bearer' });
    }
    send(res, 400, { error: 'unsupported_grant_type' });
  }

  function api(res: ServerResponse, method: string, path: string, headers: IncomingHttpHeaders, body: Record<string, unknown>): void {
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1] ?? '';
    const email = access.get(bearer);
    if (!email) return apiError(res, 401, 'Request had invalid authentication credentials.', 'authError');
    if (method === 'GET' && path === '/oauth2/v2/userinfo') return send(res, 200, { email, verified_email: true });
    if (method === 'GET' && path === '/calendar/v3/users/me/calendarList') {
      return send(res, 200, {
        items: [...calendars].map(([id, c]) => ({ id, summary: c.summary, ...(c.primary ? { primary: true } : {}) })),
      });
    }
    const m = /^\/calendar\/v3\/calendars\/([^/]+)(?:\/events(?:\/([^/]+))?)?$/.exec(path);
    const calendar = m ? calendars.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !calendar) return apiError(res, 404, 'Not Found', 'notFound');
    const isEvents = path.includes('/events');
    const eventId = m[2] ? decodeURIComponent(m[2]) : undefined;
    if (!isEvents && method === 'GET') return send(res, 200, { id: decodeURIComponent(m[1]!), summary: calendar.summary });
    const event = (id: string): FakeEvent => ({
      id,
      summary: String(body.summary ?? ''),
      description: String(body.description ?? ''),
      start: body.start as FakeEvent['start'],
      end: body.end as FakeEvent['end'],
      deleted: false,
    });
    if (method === 'POST' && !eventId) {
      const id = typeof body.id === 'string' ? body.id : `gen${++n}${randomBytes(4).toString('hex')}`;
      if (!EVENT_ID.test(id)) return apiError(res, 400, 'Invalid resource id value.', 'invalid');
      if (calendar.events.has(id)) return apiError(res, 409, 'The requested identifier already exists.', 'duplicate');
      calendar.events.set(id, event(id));
      return send(res, 200, { ...event(id), status: 'confirmed' });
    }
    const stored = eventId ? calendar.events.get(eventId) : undefined;
    if (!stored) return apiError(res, 404, 'Not Found', 'notFound');
    if (stored.deleted) return apiError(res, 410, 'Resource has been deleted', 'deleted');
    if (method === 'PUT') {
      calendar.events.set(stored.id, event(stored.id));
      return send(res, 200, event(stored.id));
    }
    if (method === 'DELETE') {
      stored.deleted = true;
      return send(res, 204);
    }
    apiError(res, 405, 'Method not allowed');
  }

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      const form = new URLSearchParams(req.headers['content-type']?.includes('json') ? '' : raw);
      let body: Record<string, unknown> = {};
      try {
        body =
          req.headers['content-type']?.includes('json') && raw ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(form);
      } catch {
        body = { unparsable: raw };
      }
      const record: GoogleRequest = { method: req.method ?? '', path, query: url.searchParams, headers: req.headers, body };
      requests.push(record);
      const i = failures.findIndex((f) => f.match.test(path));
      if (i >= 0) record.step = failures.splice(i, 1)[0]!.step;
      if (record.step && record.step !== 'lost') return scripted(res, record.step);
      if (record.step === 'lost') {
        lost.add(res);
        hold(res);
      }
      if (path === '/token' || path === '/revoke') return oauth(res, path, form, url.searchParams);
      api(res, req.method ?? '', path, req.headers, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    clientId,
    clientSecret,
    issueCode(options = {}) {
      const code = `4/fake-code-${++n}-${randomBytes(8).toString('base64url')}`;
      codes.set(code, { email: options.email ?? 'groomer@example.com', withRefreshToken: options.withRefreshToken ?? true });
      return code;
    },
    issuedTokens: () => [...issued],
    addCalendar(id, summary, primary = false) {
      calendars.set(id, { summary, primary, events: new Map() });
    },
    events: (calendarId) => [...(calendars.get(calendarId)?.events.values() ?? [])].filter((e) => !e.deleted),
    deleteOnGoogle(calendarId, eventId) {
      const e = calendars.get(calendarId)?.events.get(eventId);
      if (e) e.deleted = true;
    },
    fail(steps, match = /./) {
      for (const step of steps) failures.push({ step, match });
    },
    recover: () => void failures.splice(0),
    expireAccessTokens: () => access.clear(),
    revokeAll() {
      access.clear();
      refresh.clear();
    },
    calls: (method, path) => requests.filter((r) => r.method === method && path.test(r.path)),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      held.clear();
      await closed;
    },
  };
}
