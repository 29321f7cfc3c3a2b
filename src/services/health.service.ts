/**
 * Liveness and readiness: the process is alive while it runs; it is ready while MongoDB answers and
 * no shutdown has begun. Redis (when configured) is reported but does not decide readiness: with
 * Redis down every request is still served (rate limits count per process meanwhile), and since
 * every instance shares one Redis, failing readiness on it would pull all of them from the load
 * balancer at once and turn a degraded service into an outage.
 */
import { pingDatabase } from '../config/database';

export interface ReadinessReport {
  ready: boolean;
  /** `redis` only when Redis is configured (REDIS_URL). */
  checks: { database: 'up' | 'down'; shuttingDown: boolean; redis?: 'up' | 'down' };
}

export interface Readiness {
  beginShutdown(): void;
  check(): Promise<ReadinessReport>;
}

/** `ping` answers whether MongoDB is up; `pingRedis`, given when Redis is configured, whether Redis is. */
export function createReadiness(ping: () => Promise<boolean> = () => pingDatabase(1000), pingRedis?: () => Promise<boolean>): Readiness {
  let shuttingDown = false;
  return {
    beginShutdown: () => {
      shuttingDown = true;
    },
    check: async () => {
      const [database, redis] = await Promise.all([shuttingDown ? false : ping(), pingRedis?.().catch(() => false)]);
      return {
        ready: database && !shuttingDown,
        checks: { database: database ? 'up' : 'down', shuttingDown, ...(redis === undefined ? {} : { redis: redis ? 'up' : 'down' }) },
      };
    },
  };
}

export function liveness(): { status: 'OK'; timestamp: string; uptime: number } {
  return { status: 'OK', timestamp: new Date().toISOString(), uptime: process.uptime() };
}
