/**
 * The one client for Meta's Graph API (FACEBOOK_GRAPH_URL, FACEBOOK_GRAPH_VERSION), with a timeout
 * on every call. Access tokens travel in the Authorization header, not the URL (S-14); only the
 * OAuth endpoint takes the app credentials as its documented query parameters. Every failure is a
 * GraphError of a fixed kind whose message is ours: Graph's own text never leaves this file, so it
 * cannot reach a client or a log (S-13, S20).
 */
import axios, { type AxiosInstance, type Method } from 'axios';
import type { Clock } from '../../utils/clock';
import { systemClock } from '../../utils/clock';

export type GraphFailure =
  'not_configured' | 'invalid_token' | 'not_found' | 'permission' | 'rejected' | 'rate_limited' | 'unavailable' | 'timeout' | 'malformed';

const MESSAGES: Record<GraphFailure, string> = {
  not_configured: 'FACEBOOK_APP_ID and FACEBOOK_APP_SECRET are not set',
  invalid_token: 'Facebook refused the access token (expired, revoked or not valid for this app)',
  not_found: 'Facebook has no page with this id, or the token cannot see it',
  permission: 'The token lacks a permission this needs (pages_show_list, pages_messaging, pages_manage_metadata)',
  rejected: 'Facebook rejected the request',
  rate_limited: 'Facebook is limiting requests from this app; try again later',
  unavailable: 'Facebook is not answering correctly; try again later',
  timeout: 'Facebook did not answer in time; try again later',
  malformed: 'Facebook answered with something unexpected',
};

export class GraphError extends Error {
  constructor(
    readonly kind: GraphFailure,
    /** Graph's numeric error code, when it sent one (numbers only: safe to log). */
    readonly graphCode?: number,
    readonly status?: number,
  ) {
    super(MESSAGES[kind]);
    this.name = 'GraphError';
  }
}

export interface GraphOptions {
  baseUrl: string;
  version: string;
  timeoutMs: number;
  appId: string | undefined;
  appSecret: string | undefined;
  clock?: Clock;
}

export interface PageInfo {
  accessToken: string | undefined;
  name: string | undefined;
  category: string | undefined;
}

export interface TokenInfo {
  isValid: boolean;
  /** null: the token does not expire (Graph's expires_at 0), or Graph did not say. */
  expiresAt: Date | null;
  scopes: string[];
}

export const SUBSCRIBED_FIELDS =
  'messages,message_deliveries,message_reads,messaging_postbacks,messaging_optins,messaging_handovers,standby';

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
const TOKEN_CODES = new Set([102, 190]);

interface GraphErrorBody {
  code?: unknown;
  error_subcode?: unknown;
  is_transient?: unknown;
}

/** The failure a Graph answer (status and `error` object) stands for. */
export function classifyGraphError(status: number, error: GraphErrorBody | undefined): GraphError {
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : undefined;
  const fail = (kind: GraphFailure) => new GraphError(kind, code, status);
  if (status === 429 || (code !== undefined && (RATE_LIMIT_CODES.has(code) || (code >= 80000 && code < 80100))))
    return fail('rate_limited');
  if (status >= 500 || error?.is_transient === true || code === 1 || code === 2) return fail('unavailable');
  if (status === 401 || (code !== undefined && TOKEN_CODES.has(code))) return fail('invalid_token');
  if (status === 404 || code === 803 || (code === 100 && subcode === 33)) return fail('not_found');
  if (status === 403 || code === 10 || (code !== undefined && code >= 200 && code < 300)) return fail('permission');
  return fail('rejected');
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function createGraphClient(opts: GraphOptions) {
  const clock = opts.clock ?? systemClock;
  const http: AxiosInstance = axios.create({
    baseURL: `${opts.baseUrl}/${opts.version}`,
    timeout: opts.timeoutMs,
    validateStatus: () => true,
    maxRedirects: 0,
    maxContentLength: 1_000_000,
    headers: { Accept: 'application/json' },
  });
  let appToken: string | undefined;

  function credentials(): { client_id: string; client_secret: string } {
    if (!opts.appId || !opts.appSecret) throw new GraphError('not_configured');
    return { client_id: opts.appId, client_secret: opts.appSecret };
  }

  async function call(
    method: Method,
    path: string,
    o: { token?: string; params?: Record<string, string> },
  ): Promise<Record<string, unknown>> {
    let res;
    try {
      res = await http.request({
        method,
        url: path,
        ...(o.params ? { params: o.params } : {}),
        ...(o.token ? { headers: { Authorization: `Bearer ${o.token}` } } : {}),
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new GraphError(code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'unavailable');
    }
    const body: unknown = res.data;
    const data = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    const error = data?.error && typeof data.error === 'object' ? (data.error as GraphErrorBody) : undefined;
    if (res.status < 200 || res.status >= 300 || error) throw classifyGraphError(res.status, error);
    if (!data) throw new GraphError('malformed', undefined, res.status);
    return data;
  }

  const page = (id: string) => `/${encodeURIComponent(id)}`;

  /** The app access token (client credentials), fetched once per client. */
  async function appAccessToken(): Promise<string> {
    if (appToken) return appToken;
    const data = await call('GET', '/oauth/access_token', { params: { grant_type: 'client_credentials', ...credentials() } });
    const token = str(data.access_token);
    if (!token) throw new GraphError('malformed');
    appToken = token;
    return token;
  }

  return {
    get configured(): boolean {
      return Boolean(opts.appId && opts.appSecret);
    },

    /** A long-lived user token for a (short- or long-lived) user token: fb_exchange_token. */
    async exchangeUserToken(userToken: string): Promise<{ accessToken: string; expiresAt: Date | null }> {
      const data = await call('GET', '/oauth/access_token', {
        params: { grant_type: 'fb_exchange_token', ...credentials(), fb_exchange_token: userToken },
      });
      const accessToken = str(data.access_token);
      if (!accessToken) throw new GraphError('malformed');
      const secs = typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : undefined;
      return { accessToken, expiresAt: secs ? new Date(clock.now().getTime() + secs * 1000) : null };
    },

    /** The page as `token` sees it: its page token (only if the token's user manages it), name, category. */
    async page(pageId: string, token: string): Promise<PageInfo> {
      const data = await call('GET', page(pageId), { token, params: { fields: 'access_token,name,category' } });
      return { accessToken: str(data.access_token), name: str(data.name), category: str(data.category) };
    },

    /** Subscribes the app to the page's messaging webhooks. */
    async subscribeApp(pageId: string, pageToken: string): Promise<void> {
      const data = await call('POST', `${page(pageId)}/subscribed_apps`, {
        token: pageToken,
        params: { subscribed_fields: SUBSCRIBED_FIELDS },
      });
      if (data.success !== true) throw new GraphError('malformed');
    },

    async unsubscribeApp(pageId: string, pageToken: string): Promise<void> {
      await call('DELETE', `${page(pageId)}/subscribed_apps`, { token: pageToken });
    },

    appAccessToken,

    /** What Graph knows of a token: validity, expiry and granted scopes. */
    async debugToken(inputToken: string): Promise<TokenInfo> {
      const data = await call('GET', '/debug_token', { token: await appAccessToken(), params: { input_token: inputToken } });
      const d = (data.data && typeof data.data === 'object' ? data.data : {}) as Record<string, unknown>;
      const at = typeof d.expires_at === 'number' && d.expires_at > 0 ? new Date(d.expires_at * 1000) : null;
      const scopes = Array.isArray(d.scopes) ? d.scopes.filter((s): s is string => typeof s === 'string') : [];
      return { isValid: d.is_valid === true, expiresAt: at, scopes };
    },
  };
}

export type GraphClient = ReturnType<typeof createGraphClient>;

/** The client for this configuration. */
export function graphClientFor(config: {
  facebook: { graphUrl: string; graphVersion: string; timeoutMs: number; appId?: string | undefined; appSecret?: string | undefined };
}): GraphClient {
  const f = config.facebook;
  return createGraphClient({
    baseUrl: f.graphUrl,
    version: f.graphVersion,
    timeoutMs: f.timeoutMs,
    appId: f.appId,
    appSecret: f.appSecret,
  });
}
