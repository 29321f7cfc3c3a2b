/**
 * Keeping page tokens alive (booking.md §10.1) and reporting their health. A page token that came
 * from a long-lived user token is renewed the way Graph intends (B-22, B26): the stored long-lived
 * *user* token is exchanged for a fresh one (fb_exchange_token), the page token is read again with
 * it, and its expiry and scopes are asked of debug_token. The original fed the page token to
 * fb_exchange_token, which Graph refuses. Integrations connected before the user token was kept
 * cannot be renewed: they are marked REAUTH_REQUIRED without calling Graph.
 *
 * Every outcome is recorded on the integration (refreshed at, or failed at + a stable code + a
 * count), with a write conditional on the page token it started from, so a page reconnected
 * meanwhile is never overwritten. Failures that only a reconnect can fix are not retried.
 */
import type { Types } from 'mongoose';
import { CompanyIntegration, type CompanyIntegrationFields } from '../../models/CompanyIntegration';
import { crossTenant } from '../../models/plugins/tenantScoped';
import type { Clock } from '../../utils/clock';
import { moduleLogger } from '../../utils/logger';
import { decryptSecret, encryptSecret } from '../../utils/secrets';
import { GraphError, type GraphClient, type GraphFailure, type TokenInfo } from './graph.client';

const log = moduleLogger('token-refresh');

const DAY_MS = 86_400_000;
/** Tokens expiring within this window are renewed (the original's seven days). */
export const REFRESH_WINDOW_MS = 7 * DAY_MS;
const PAGE = 100;

const FAILURE_CODES: Record<GraphFailure, string> = {
  not_configured: 'NOT_CONFIGURED',
  invalid_token: 'TOKEN_INVALID',
  not_found: 'PAGE_NOT_FOUND',
  permission: 'PERMISSION_DENIED',
  rejected: 'GRAPH_REJECTED',
  rate_limited: 'RATE_LIMITED',
  unavailable: 'GRAPH_UNAVAILABLE',
  timeout: 'GRAPH_TIMEOUT',
  malformed: 'GRAPH_BAD_RESPONSE',
};

/** Failures a retry cannot fix: the manager must connect the page again. */
const NEEDS_RECONNECT: Record<string, string> = {
  TOKEN_INVALID: 'Facebook refused the token (expired or revoked); connect the page again',
  PAGE_NOT_FOUND: 'Facebook no longer shows this page to the token; connect the page again',
  PERMISSION_DENIED: 'The token lost a permission the page needs; connect the page again',
  PAGE_ACCESS_LOST: 'The Facebook user no longer manages this page; connect the page again',
  REAUTH_REQUIRED: 'This page was connected without a renewable user token; connect the page again',
  TOKEN_UNREADABLE: 'The stored token cannot be decrypted (DATA_ENCRYPTION_KEY changed?); connect the page again',
};

export interface RefreshSummary {
  refreshed: number;
  failed: number;
  skipped: number;
  total: number;
}

type Integration = Pick<
  CompanyIntegrationFields,
  '_id' | 'companyId' | 'facebookChatId' | 'facebookAccessToken' | 'facebookUserAccessToken' | 'facebookTokenScopes'
>;

class RefreshFailure extends Error {
  constructor(
    readonly code: string,
    readonly graphCode?: number,
  ) {
    super(code);
  }
}

export function createTokenRefresher(deps: { graph: GraphClient; dataEncryptionKey: string; clock: Clock }) {
  const { graph, clock } = deps;
  const decrypt = (stored: string) => {
    try {
      return decryptSecret(stored, deps.dataEncryptionKey);
    } catch {
      throw new RefreshFailure('TOKEN_UNREADABLE');
    }
  };

  /** The integration as it was read: a write only lands if its page token is still that one. */
  const unchanged = (doc: Integration) => ({ _id: doc._id, companyId: doc.companyId, facebookAccessToken: doc.facebookAccessToken });

  async function renew(doc: Integration): Promise<'refreshed' | 'skipped'> {
    if (!doc.facebookUserAccessToken) throw new RefreshFailure('REAUTH_REQUIRED');
    const userToken = decrypt(doc.facebookUserAccessToken);
    const user = await graph.exchangeUserToken(userToken);
    const page = await graph.page(doc.facebookChatId!, user.accessToken);
    if (!page.accessToken) throw new RefreshFailure('PAGE_ACCESS_LOST');
    let info: TokenInfo | null = null;
    try {
      info = await graph.debugToken(page.accessToken);
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      log.warn('could not read the renewed token’s expiry; kept as unknown', { companyId: String(doc.companyId), reason: err.kind });
    }
    const res = await CompanyIntegration.updateOne(unchanged(doc), {
      $set: {
        facebookAccessToken: encryptSecret(page.accessToken, deps.dataEncryptionKey),
        facebookUserAccessToken: encryptSecret(user.accessToken, deps.dataEncryptionKey),
        facebookUserTokenExpiresAt: user.expiresAt,
        facebookTokenExpiresAt: info?.expiresAt ?? null,
        facebookTokenScopes: info?.scopes ?? doc.facebookTokenScopes ?? [],
        facebookTokenRefreshedAt: clock.now(),
      },
      $unset: { facebookTokenRefreshFailedAt: 1, facebookTokenRefreshError: 1, facebookTokenRefreshFailures: 1 },
    });
    return res.matchedCount > 0 ? 'refreshed' : 'skipped';
  }

  async function recordFailure(doc: Integration, failure: RefreshFailure): Promise<void> {
    await CompanyIntegration.updateOne(unchanged(doc), {
      $set: { facebookTokenRefreshFailedAt: clock.now(), facebookTokenRefreshError: failure.code },
      $inc: { facebookTokenRefreshFailures: 1 },
    });
    log.warn('facebook token refresh failed', {
      companyId: String(doc.companyId),
      pageId: doc.facebookChatId,
      reason: failure.code,
      ...(failure.graphCode !== undefined ? { graphCode: failure.graphCode } : {}),
    });
  }

  /** Refreshes one integration; the outcome is on the document afterwards. */
  async function refreshOne(doc: Integration): Promise<'refreshed' | 'failed' | 'skipped'> {
    try {
      const outcome = await renew(doc);
      if (outcome === 'skipped')
        log.info('page reconnected during its refresh; the new token is kept', { companyId: String(doc.companyId) });
      else log.info('facebook page token refreshed', { companyId: String(doc.companyId), pageId: doc.facebookChatId });
      return outcome;
    } catch (err) {
      const failure =
        err instanceof RefreshFailure ? err : err instanceof GraphError ? new RefreshFailure(FAILURE_CODES[err.kind], err.graphCode) : null;
      if (!failure) throw err;
      await recordFailure(doc, failure);
      return 'failed';
    }
  }

  return {
    refreshOne,

    /**
     * One pass over every user-token integration whose page or user token expires within seven
     * days (expired ones too). `keepGoing` is asked before each one (the job's lease).
     */
    async refreshExpiring(keepGoing: () => Promise<boolean> = () => Promise.resolve(true)): Promise<RefreshSummary> {
      const summary: RefreshSummary = { refreshed: 0, failed: 0, skipped: 0, total: 0 };
      if (!graph.configured) {
        log.warn('facebook token refresh skipped: FACEBOOK_APP_ID / FACEBOOK_APP_SECRET are not set');
        return summary;
      }
      const soon = new Date(clock.now().getTime() + REFRESH_WINDOW_MS);
      const due = {
        facebookTokenSource: 'user_long_lived',
        facebookChatId: { $type: 'string', $ne: '' },
        facebookAccessToken: { $type: 'string', $ne: '' },
        facebookTokenRefreshError: { $nin: Object.keys(NEEDS_RECONNECT) },
        $or: [{ facebookTokenExpiresAt: { $lt: soon } }, { facebookUserTokenExpiresAt: { $lt: soon } }],
      };
      const fields = { companyId: 1, facebookChatId: 1, facebookAccessToken: 1, facebookUserAccessToken: 1, facebookTokenScopes: 1 };
      // Pages in _id order: each one starts after the last id seen, so every integration is visited once.
      let after: Types.ObjectId | null = null;
      for (;;) {
        const filter: Record<string, unknown> = after ? { ...due, _id: { $gt: after } } : due;
        const page: Integration[] = await crossTenant(CompanyIntegration.find(filter, fields).sort({ _id: 1 }).limit(PAGE)).lean<
          Integration[]
        >();
        for (const doc of page) {
          if (!(await keepGoing())) {
            log.warn('facebook token refresh stopped: this process no longer holds the job lease');
            return summary;
          }
          summary.total++;
          summary[await refreshOne(doc)]++;
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1]!._id;
      }
      return summary;
    },
  };
}

export type TokenRefresher = ReturnType<typeof createTokenRefresher>;

export type TokenHealth =
  | { status: 'not_connected' }
  | { status: 'unknown_expiry'; hasToken: true; lastRefreshError?: string; lastRefreshFailedAt?: Date }
  | {
      status: 'expired' | 'expiring_soon' | 'healthy';
      expiresAt: Date;
      daysUntilExpiry: number;
      lastRefreshError?: string;
      lastRefreshFailedAt?: Date;
    }
  | { status: 'error'; error: string; code?: string };

/**
 * The company's page token as the contract reports it (booking.md §10.1): not connected, unknown
 * expiry, expired / expiring soon (under seven days) / healthy, or error. A refresh failure that
 * only a reconnect can fix is an error; a passing one (Graph down, rate limited) is reported
 * beside the expiry.
 */
export async function checkTokenHealth(companyId: Types.ObjectId, clock: Clock): Promise<TokenHealth> {
  try {
    const doc = await CompanyIntegration.findOne(
      { companyId },
      {
        facebookChatId: 1,
        facebookAccessToken: 1,
        facebookTokenExpiresAt: 1,
        facebookTokenRefreshError: 1,
        facebookTokenRefreshFailedAt: 1,
      },
    ).lean();
    if (!doc?.facebookChatId || !doc.facebookAccessToken) return { status: 'not_connected' };
    const code = doc.facebookTokenRefreshError ?? undefined;
    if (code && NEEDS_RECONNECT[code]) return { status: 'error', error: NEEDS_RECONNECT[code], code };
    const failure = code
      ? { lastRefreshError: code, ...(doc.facebookTokenRefreshFailedAt ? { lastRefreshFailedAt: doc.facebookTokenRefreshFailedAt } : {}) }
      : {};
    const expiresAt = doc.facebookTokenExpiresAt;
    if (!expiresAt) return { status: 'unknown_expiry', hasToken: true, ...failure };
    const left = expiresAt.getTime() - clock.now().getTime();
    const status = left <= 0 ? 'expired' : left < REFRESH_WINDOW_MS ? 'expiring_soon' : 'healthy';
    return { status, expiresAt, daysUntilExpiry: Math.floor(left / DAY_MS), ...failure };
  } catch (err) {
    log.error('token health check failed', { error: (err as Error).message });
    return { status: 'error', error: 'The token state could not be read' };
  }
}
