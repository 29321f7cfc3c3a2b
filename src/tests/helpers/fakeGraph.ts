/**
 * A fake Graph API: a real HTTP server on 127.0.0.1 that keeps users, pages and the tokens it
 * issued, and answers the calls PetBuddy makes as Graph does (token exchange, page token, app
 * subscription, app token, debug_token), errors included, in Graph's `{error:{message,type,code}}`
 * form. Faults can be injected per call (by method and path); `hang` holds the request open.
 * Every Graph error message contains GRAPH_TEXT (and the token it was given), so a test can prove
 * Graph's text never reaches a client or a log.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const GRAPH_TEXT = 'GRAPH-INTERNAL-TEXT';
export const APP_ID = '1234567890';
export const APP_SECRET = 'fake-graph-app-secret-0123456789abcdef';
export const LONG_LIVED_SECS = 60 * 86_400;

export type GraphFault = 'invalidToken' | 'unauthorized' | 'rateLimited' | 'serverError' | 'badRequest' | 'hang';

export interface GraphRequest {
  method: string;
  /** Without the version prefix, e.g. `/oauth/access_token`, `/123/subscribed_apps`. */
  path: string;
  query: Record<string, string>;
  /** The token of the Authorization header. */
  bearer: string | undefined;
}

interface Fault {
  match: RegExp;
  fault: GraphFault;
  times: number;
}

const secret = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;

export async function startFakeGraph(o: { version?: string; latencyMs?: number } = {}) {
  const version = o.version ?? 'v18.0';
  const requests: GraphRequest[] = [];
  const users = new Map<string, { pages: Set<string>; expiresAt: number }>();
  const pageTokens = new Map<string, string>();
  const pages = new Map<string, { name: string; category: string }>();
  const subscribed = new Set<string>();
  const held = new Set<ServerResponse>();
  const faults: Fault[] = [];
  const appToken = secret('APPTOKEN');
  /** Seconds until a newly issued page token expires (0: never, as Graph does for long-lived ones). */
  let pageTokenLifetime = 0;
  const expiry = new Map<string, number>();

  const now = () => Math.floor(Date.now() / 1000);
  const graphError = (res: ServerResponse, status: number, code: number, extra: Record<string, unknown> = {}, token = '') =>
    send(res, status, {
      error: { message: `${GRAPH_TEXT} (#${code}) failed for token ${token}`, type: 'OAuthException', code, fbtrace_id: 'Abc', ...extra },
    });
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const write = () => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (o.latencyMs) setTimeout(write, o.latencyMs);
    else write();
  };

  function applyFault(res: ServerResponse, fault: GraphFault, token: string): void {
    switch (fault) {
      case 'invalidToken':
        return graphError(res, 400, 190, { error_subcode: 463 }, token);
      case 'unauthorized':
        return graphError(res, 401, 190, {}, token);
      case 'rateLimited':
        return graphError(res, 429, 4, {}, token);
      case 'serverError':
        return graphError(res, 500, 2, { is_transient: true }, token);
      case 'badRequest':
        return graphError(res, 400, 100, {}, token);
      case 'hang':
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
    }
  }

  function issuePageToken(pageId: string): string {
    const token = secret(`PAGETOKEN-${pageId}`);
    pageTokens.set(token, pageId);
    if (pageTokenLifetime > 0) expiry.set(token, now() + pageTokenLifetime);
    return token;
  }

  function handle(method: string, path: string, q: Record<string, string>, bearer: string | undefined, res: ServerResponse): void {
    const token = bearer ?? '';
    if (method === 'GET' && path === '/oauth/access_token') {
      if (q.client_id !== APP_ID || q.client_secret !== APP_SECRET) return graphError(res, 400, 1, {}, q.fb_exchange_token);
      if (q.grant_type === 'client_credentials') return send(res, 200, { access_token: appToken, token_type: 'bearer' });
      const user = users.get(q.fb_exchange_token ?? '');
      if (q.grant_type !== 'fb_exchange_token' || !user || user.expiresAt <= now())
        return graphError(res, 400, 190, {}, q.fb_exchange_token);
      const longLived = secret('USERTOKEN-long');
      users.set(longLived, { pages: new Set(user.pages), expiresAt: now() + LONG_LIVED_SECS });
      return send(res, 200, { access_token: longLived, token_type: 'bearer', expires_in: LONG_LIVED_SECS });
    }
    if (method === 'GET' && path === '/debug_token') {
      if (token !== appToken) return graphError(res, 400, 190, {}, token);
      const input = q.input_token ?? '';
      const known = users.has(input) || pageTokens.has(input);
      const expiresAt = users.get(input)?.expiresAt ?? expiry.get(input) ?? 0;
      return send(res, 200, {
        data: { app_id: APP_ID, is_valid: known, expires_at: expiresAt, scopes: ['pages_messaging', 'pages_manage_metadata'] },
      });
    }
    const m = /^\/(\d+)(\/subscribed_apps)?$/.exec(path);
    if (!m) return graphError(res, 400, 100, {}, token);
    const pageId = m[1]!;
    const page = pages.get(pageId);
    if (!page) return graphError(res, 400, 100, { error_subcode: 33 }, token);
    if (m[2]) {
      if (pageTokens.get(token) !== pageId) return graphError(res, 403, 200, {}, token);
      if (method === 'POST') subscribed.add(pageId);
      else if (method === 'DELETE') subscribed.delete(pageId);
      else return graphError(res, 400, 100, {}, token);
      return send(res, 200, { success: true });
    }
    const user = users.get(token);
    if (!user && !pageTokens.has(token)) return graphError(res, 400, 190, {}, token);
    const base = { id: pageId, name: page.name, category: page.category };
    if (pageTokens.get(token) === pageId) return send(res, 200, { ...base, access_token: token });
    return send(res, 200, user?.pages.has(pageId) ? { ...base, access_token: issuePageToken(pageId) } : base);
  }

  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const prefix = `/${version}`;
      const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
      const auth = req.headers.authorization;
      const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
      const query = Object.fromEntries(url.searchParams);
      const method = req.method ?? 'GET';
      requests.push({ method, path, query, bearer });
      const fault = faults.find((f) => f.times > 0 && f.match.test(`${method} ${path}`));
      if (fault) {
        fault.times--;
        applyFault(res, fault.fault, bearer ?? query.fb_exchange_token ?? '');
        return;
      }
      handle(method, path, query, bearer, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    version,
    requests,
    subscribed,
    /** A Facebook page Graph knows. */
    addPage(id: string, name = `Page ${id}`, category = 'Pet Groomer'): void {
      pages.set(id, { name, category });
    },
    /** A (short-lived) user token of a user who manages these pages. */
    addUser(pageIds: string[], o: { expiresInSecs?: number } = {}): string {
      const token = secret('USERTOKEN-short');
      users.set(token, { pages: new Set(pageIds), expiresAt: now() + (o.expiresInSecs ?? 3600) });
      return token;
    },
    /** Revokes a user token (Graph then refuses it with code 190). */
    revoke(token: string): void {
      users.delete(token);
      pageTokens.delete(token);
    },
    /** Page tokens issued from now on expire after this many seconds (0: never). */
    setPageTokenLifetime(secs: number): void {
      pageTokenLifetime = secs;
    },
    /** The next `times` calls whose `METHOD /path` matches get `fault`. */
    fail(match: RegExp, fault: GraphFault, times = Number.POSITIVE_INFINITY): void {
      faults.push({ match, fault, times });
    },
    calls(match: RegExp): GraphRequest[] {
      return requests.filter((r) => match.test(`${r.method} ${r.path}`));
    },
    /** Every token this fake issued or accepted (for "no token in plaintext" checks). */
    tokens(): string[] {
      return [...users.keys(), ...pageTokens.keys(), appToken];
    },
    hanging: () => held.size,
    reset(): void {
      requests.length = 0;
      faults.length = 0;
      for (const res of held) res.destroy();
      held.clear();
      pageTokenLifetime = 0;
    },
    async close(): Promise<void> {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeGraph = Awaited<ReturnType<typeof startFakeGraph>>;

/** Configuration overrides pointing the app at the fake. */
export function graphEnv(graph: FakeGraph, extra: Record<string, string> = {}): Record<string, string> {
  return {
    FACEBOOK_GRAPH_URL: graph.url,
    FACEBOOK_GRAPH_VERSION: graph.version,
    FACEBOOK_APP_ID: APP_ID,
    FACEBOOK_APP_SECRET: APP_SECRET,
    FACEBOOK_GRAPH_TIMEOUT_MS: '1000',
    ...extra,
  };
}
