/** What every router and controller is built with (kept below app.ts so routers need not import it). */
import type { Config } from './config/env';
import type { RedisConnection } from './config/redis';
import type { AccessVerifier } from './middleware/auth';
import type { AuthService } from './services/auth.service';
import type { Readiness } from './services/health.service';
import type { Realtime } from './socket/realtime';
import type { Clock } from './utils/clock';

export interface AppDeps {
  config: Config;
  readiness: Readiness;
  clock: Clock;
  /** Publishes real-time events (Socket.io in the process; recorded or silent in tests). */
  realtime: Realtime;
  /** Asks the outbox to deliver queued messages now. */
  kickOutbox: () => void;
  /** Verifies access tokens (shared with the socket server so both see the same user cache). */
  verifyAccess: AccessVerifier;
  /** Login, sessions and password hashing: one instance for every router. */
  auth: AuthService;
  /** Redis when several processes share the work (REDIS_URL); undefined: one process. */
  redis?: RedisConnection;
}
