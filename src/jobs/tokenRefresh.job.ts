/**
 * The Facebook token refresh job (booking.md §10.1): it looks 10 s after start and then every
 * hour, and refreshes when its last run is 24 h old, so it runs once a day. One process runs it
 * however many share the database, and a restart within the day does not run it again (the lease
 * and the last run are in `jobleases`, src/jobs/jobLease.ts). It ends at once when Graph is not
 * configured.
 */
import type { Config } from '../config/env';
import { graphClientFor, type GraphClient } from '../services/integrations/graph.client';
import { createTokenRefresher, type RefreshSummary } from '../services/integrations/tokenRefresh.service';
import { systemClock, type Clock } from '../utils/clock';
import { moduleLogger } from '../utils/logger';
import { claimDueRun } from './jobLease';
import type { Job } from './scheduler';

const log = moduleLogger('token-refresh');

export const TOKEN_REFRESH_JOB = 'facebook-token-refresh';
const HOUR_MS = 3_600_000;

export interface TokenRefreshJobOptions {
  config: Config;
  graph?: GraphClient;
  clock?: Clock;
  /** Identifies this process's claims (tests give each simulated process its own). */
  owner?: string;
  periodMs?: number;
  checkEveryMs?: number;
  initialDelayMs?: number;
  leaseMs?: number;
}

export type TokenRefreshOutcome = { ran: false } | ({ ran: true } & RefreshSummary);

export interface TokenRefreshJob extends Job {
  run(): Promise<TokenRefreshOutcome>;
}

export function tokenRefreshJob(o: TokenRefreshJobOptions): TokenRefreshJob {
  const graph = o.graph ?? graphClientFor(o.config);
  const clock = o.clock ?? systemClock;
  const refresher = createTokenRefresher({ graph, dataEncryptionKey: o.config.dataEncryptionKey, clock });
  // Long enough for one integration's four Graph calls, each bounded by the timeout; extended before each.
  const leaseMs = o.leaseMs ?? Math.max(60_000, 4 * o.config.facebook.timeoutMs + 30_000);

  async function run(): Promise<TokenRefreshOutcome> {
    if (!graph.configured) return { ran: false };
    const claim = await claimDueRun({
      job: TOKEN_REFRESH_JOB,
      clock,
      periodMs: o.periodMs ?? 24 * HOUR_MS,
      leaseMs,
      ...(o.owner ? { owner: o.owner } : {}),
    });
    if (!claim) return { ran: false };
    try {
      const summary = await refresher.refreshExpiring(() => claim.extend());
      await claim.finish({ ...summary });
      log.info('facebook token refresh finished', { ...summary });
      return { ran: true, ...summary };
    } catch (err) {
      await claim.finish({ error: (err as Error).message }).catch(() => undefined);
      throw err;
    }
  }

  return { name: TOKEN_REFRESH_JOB, initialDelayMs: o.initialDelayMs ?? 10_000, intervalMs: o.checkEveryMs ?? HOUR_MS, run };
}
