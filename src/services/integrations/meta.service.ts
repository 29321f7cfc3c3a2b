/**
 * Connecting a company's Facebook page (and its Instagram account) through Graph: exchange the
 * user token for a long-lived one, read the page token, subscribe the app to the page, learn the
 * token's expiry and scopes, then store everything with one partial update (tokens encrypted).
 * Any Graph failure happens before that write, so nothing is half-written. Disconnecting
 * unsubscribes the app (best effort) and clears every Meta field, the Instagram id too, and never
 * the AI keys (B13). A page or Instagram account another company has connected is refused (409).
 */
import type { Types } from 'mongoose';
import { CompanyIntegration } from '../../models/CompanyIntegration';
import { crossTenant } from '../../models/plugins/tenantScoped';
import type { Clock } from '../../utils/clock';
import { AppError, ConflictError } from '../../utils/errors';
import { moduleLogger } from '../../utils/logger';
import { decryptSecret, encryptSecret } from '../../utils/secrets';
import { GraphError, type GraphClient, type GraphFailure, type TokenInfo } from './graph.client';
import { checkTokenHealth } from './tokenRefresh.service';
import { last4Mask } from './integrationView';

const log = moduleLogger('meta');

type CompanyId = Types.ObjectId;

export interface PageConnectInput {
  pageId: string;
  pageName?: string | undefined;
  pageCategory?: string | undefined;
  userAccessToken?: string | undefined;
  systemUserAccessToken?: string | undefined;
  pageAccessToken?: string | undefined;
  /** A string connects that Instagram account too; null clears it (the page has none). */
  instagramChatId?: string | null | undefined;
}

/** Every field a Facebook disconnect removes (the Instagram id too: it messages through the page token). */
export const META_FIELDS = [
  'facebookChatId',
  'instagramChatId',
  'facebookAccessToken',
  'facebookAppAccessToken',
  'facebookTokenSource',
  'facebookTokenExpiresAt',
  'facebookTokenScopes',
  'facebookPageName',
  'facebookPageCategory',
  'facebookUserAccessToken',
  'facebookUserTokenExpiresAt',
  'facebookTokenRefreshedAt',
  'facebookTokenRefreshFailedAt',
  'facebookTokenRefreshError',
  'facebookTokenRefreshFailures',
] as const;

const REFRESH_STATE = [
  'facebookTokenRefreshedAt',
  'facebookTokenRefreshFailedAt',
  'facebookTokenRefreshError',
  'facebookTokenRefreshFailures',
];

const HTTP: Record<GraphFailure, { status: number; code: string }> = {
  not_configured: { status: 503, code: 'META_NOT_CONFIGURED' },
  invalid_token: { status: 400, code: 'META_TOKEN_INVALID' },
  not_found: { status: 400, code: 'META_PAGE_NOT_FOUND' },
  permission: { status: 400, code: 'META_PERMISSION_DENIED' },
  rejected: { status: 400, code: 'META_REQUEST_REJECTED' },
  rate_limited: { status: 502, code: 'META_RATE_LIMITED' },
  unavailable: { status: 502, code: 'META_UNAVAILABLE' },
  timeout: { status: 502, code: 'META_TIMEOUT' },
  malformed: { status: 502, code: 'META_BAD_RESPONSE' },
};

/**
 * A Graph failure as an answer: 400 for what the user can fix (token, page, permissions), 502 for
 * Graph itself, never 401 (the dashboard would take it for an expired session, B-12). `details`
 * repeats our message because the Integrations UI shows `error.details` [COMPAT].
 */
export function graphAppError(err: GraphError, what = 'Failed to connect Facebook page'): AppError {
  const { status, code } = HTTP[err.kind];
  return new AppError(status, code, `${what}: ${err.message}`, { details: err.message });
}

const pageNotManaged = () =>
  new AppError(400, 'META_PAGE_NOT_MANAGED', 'Failed to connect Facebook page: the Facebook user does not manage this page', {
    details: 'The Facebook user does not manage this page, or did not grant the pages permissions',
  });

export function createMetaService(deps: { graph: GraphClient; dataEncryptionKey: string; clock: Clock }) {
  const { graph } = deps;
  const encrypt = (plain: string) => encryptSecret(plain, deps.dataEncryptionKey);

  /** 409 when another company has this page (or Instagram account) connected: the Meta Bot routes by these ids. */
  async function assertFree(companyId: CompanyId, field: 'facebookChatId' | 'instagramChatId', id: string): Promise<void> {
    const holder = await crossTenant(CompanyIntegration.findOne({ [field]: id, companyId: { $ne: companyId } }, { _id: 1 })).lean();
    if (holder) {
      const what = field === 'facebookChatId' ? 'Facebook page' : 'Instagram account';
      throw new ConflictError(`This ${what} is connected to another company`, 'PAGE_CONNECTED_ELSEWHERE');
    }
  }

  /** The page token (and, for a user token, the long-lived user token) for the input's strongest token. */
  async function resolveTokens(input: PageConnectInput) {
    if (input.systemUserAccessToken) {
      const page = await graph.page(input.pageId, input.systemUserAccessToken);
      return { source: 'system_user' as const, page, pageToken: page.accessToken, user: null };
    }
    if (input.userAccessToken) {
      const user = await graph.exchangeUserToken(input.userAccessToken);
      const page = await graph.page(input.pageId, user.accessToken);
      return { source: 'user_long_lived' as const, page, pageToken: page.accessToken, user };
    }
    const page = await graph.page(input.pageId, input.pageAccessToken!);
    return { source: 'page_direct' as const, page, pageToken: input.pageAccessToken, user: null };
  }

  /** The app token and what Graph says of the page token; best effort (the page works without them). */
  async function tokenDetails(pageToken: string): Promise<{ appToken: string | null; info: TokenInfo | null }> {
    let appToken: string | null = null;
    try {
      appToken = await graph.appAccessToken();
      return { appToken, info: await graph.debugToken(pageToken) };
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      log.warn('could not read the page token’s expiry and scopes', { reason: err.kind, graphCode: err.graphCode });
      return { appToken, info: null };
    }
  }

  async function connectPage(companyId: CompanyId, input: PageConnectInput) {
    if (!graph.configured) throw graphAppError(new GraphError('not_configured'));
    await assertFree(companyId, 'facebookChatId', input.pageId);
    if (input.instagramChatId) await assertFree(companyId, 'instagramChatId', input.instagramChatId);
    try {
      const { source, page, pageToken, user } = await resolveTokens(input);
      if (!pageToken) throw pageNotManaged();
      await graph.subscribeApp(input.pageId, pageToken);
      const { appToken, info } = await tokenDetails(pageToken);
      const pageName = input.pageName ?? page.name;
      const pageCategory = input.pageCategory ?? page.category;
      const $set: Record<string, unknown> = {
        facebookChatId: input.pageId,
        facebookAccessToken: encrypt(pageToken),
        facebookTokenSource: source,
        facebookTokenExpiresAt: info?.expiresAt ?? null,
        facebookTokenScopes: info?.scopes ?? [],
      };
      const $unset: Record<string, 1> = Object.fromEntries(REFRESH_STATE.map((f) => [f, 1]));
      const setOrUnset = (field: string, value: unknown) => {
        if (value === undefined || value === null) $unset[field] = 1;
        else $set[field] = value;
      };
      setOrUnset('facebookAppAccessToken', appToken ? encrypt(appToken) : undefined);
      setOrUnset('facebookPageName', pageName);
      setOrUnset('facebookPageCategory', pageCategory);
      setOrUnset('facebookUserAccessToken', user ? encrypt(user.accessToken) : undefined);
      setOrUnset('facebookUserTokenExpiresAt', user?.expiresAt);
      if (input.instagramChatId !== undefined) setOrUnset('instagramChatId', input.instagramChatId);
      await CompanyIntegration.updateOne({ companyId }, { $set, $unset }, { upsert: true });
      log.info('facebook page connected', { pageId: input.pageId, tokenSource: source, expiresAt: $set.facebookTokenExpiresAt });
      return { pageId: input.pageId, pageName, pageCategory, instagramConnected: Boolean(input.instagramChatId) };
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      log.warn('facebook page connect failed', { pageId: input.pageId, reason: err.kind, graphCode: err.graphCode, status: err.status });
      throw graphAppError(err);
    }
  }

  /** Unsubscribes the app from the page (best effort) and removes every Meta field; AI and Google fields stay. */
  async function disconnectFacebook(companyId: CompanyId): Promise<{ unsubscribed: boolean }> {
    const doc = await CompanyIntegration.findOne({ companyId }, { facebookChatId: 1, facebookAccessToken: 1 }).lean();
    if (!doc) return { unsubscribed: false };
    let unsubscribed = false;
    if (doc.facebookChatId && doc.facebookAccessToken) {
      try {
        await graph.unsubscribeApp(doc.facebookChatId, decryptSecret(doc.facebookAccessToken, deps.dataEncryptionKey));
        unsubscribed = true;
      } catch (err) {
        const reason = err instanceof GraphError ? err.kind : 'token_unreadable';
        log.warn('could not unsubscribe the app from the page; disconnected here anyway', { pageId: doc.facebookChatId, reason });
      }
    }
    await CompanyIntegration.updateOne({ companyId }, { $unset: Object.fromEntries(META_FIELDS.map((f) => [f, 1])) });
    log.info('facebook disconnected', { pageId: doc.facebookChatId, unsubscribed });
    return { unsubscribed };
  }

  async function disconnectInstagram(companyId: CompanyId): Promise<void> {
    await CompanyIntegration.updateOne({ companyId }, { $unset: { instagramChatId: 1 } });
  }

  async function connectInstagram(companyId: CompanyId, accountId: string): Promise<void> {
    await assertFree(companyId, 'instagramChatId', accountId);
    await CompanyIntegration.updateOne({ companyId }, { $set: { instagramChatId: accountId } }, { upsert: true });
  }

  async function stored(companyId: CompanyId) {
    return CompanyIntegration.findOne({ companyId }).lean();
  }

  return {
    assertFree,
    connectPage,
    disconnectFacebook,
    disconnectInstagram,
    connectInstagram,

    /** GET /meta (T1) `data`. */
    async status(companyId: CompanyId) {
      const doc = await stored(companyId);
      if (!doc) return { facebook: { connected: false }, instagram: { connected: false } };
      return {
        facebook: {
          connected: Boolean(doc.facebookChatId && doc.facebookAccessToken),
          pageId: doc.facebookChatId ?? null,
          pageName: doc.facebookPageName ?? null,
          tokenSource: doc.facebookTokenSource,
          tokenExpiresAt: doc.facebookTokenExpiresAt ?? null,
        },
        instagram: { connected: Boolean(doc.instagramChatId), accountId: doc.instagramChatId ?? null },
      };
    },

    /** GET /settings/meta `meta`: last four characters of the tokens at most, and the token's health. */
    async settingsView(companyId: CompanyId) {
      const doc = await stored(companyId);
      const key = deps.dataEncryptionKey;
      const hasToken = Boolean(doc?.facebookAccessToken);
      return {
        facebook: {
          connected: Boolean(doc?.facebookChatId && hasToken),
          pageId: doc?.facebookChatId ?? '',
          accessToken: last4Mask(doc?.facebookAccessToken, key),
          appAccessToken: last4Mask(doc?.facebookAppAccessToken, key),
          tokenSource: doc?.facebookTokenSource,
          tokenExpiresAt: doc?.facebookTokenExpiresAt ?? undefined,
          tokenHealth: await checkTokenHealth(companyId, deps.clock),
        },
        instagram: {
          connected: Boolean(doc?.instagramChatId && hasToken),
          pageId: doc?.instagramChatId ?? '',
          accessToken: doc?.instagramChatId ? last4Mask(doc.facebookAccessToken, key) : '',
        },
      };
    },
  };
}

export type MetaService = ReturnType<typeof createMetaService>;
