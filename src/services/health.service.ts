/** Liveness and readiness: the process is alive while it runs; it is ready while MongoDB answers and no shutdown has begun. */
import { pingDatabase } from '../config/database';

export interface ReadinessReport {
  ready: boolean;
  checks: { database: 'up' | 'down'; shuttingDown: boolean };
}

export interface Readiness {
  beginShutdown(): void;
  check(): Promise<ReadinessReport>;
}

export function createReadiness(ping: () => Promise<boolean> = () => pingDatabase(1000)): Readiness {
  let shuttingDown = false;
  return {
    beginShutdown: () => {
      shuttingDown = true;
    },
    check: async () => {
      const database = shuttingDown ? false : await ping();
      return { ready: database && !shuttingDown, checks: { database: database ? 'up' : 'down', shuttingDown } };
    },
  };
}

export function liveness(): { status: 'OK'; timestamp: string; uptime: number } {
  return { status: 'OK', timestamp: new Date().toISOString(), uptime: process.uptime() };
}
