/**
 * The Mongoose connection: pool 10, server selection 5 s, socket timeout 45 s. Every state change
 * is logged. A failed first connection does not stop the process: it retries in the background
 * while /ready answers 503. The pool's connections are measured from the driver's events.
 */
import mongoose from 'mongoose';
import { instrumentPool } from '../metrics/database';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('database');

export const CONNECT_OPTIONS = {
  maxPoolSize: 10,
  serverSelectionTimeoutMS: 5000,
  socketTimeoutMS: 45_000,
} as const;

let listenersInstalled = false;
let retryTimer: NodeJS.Timeout | null = null;
let stopped = false;

function installListeners(): void {
  if (listenersInstalled) return;
  listenersInstalled = true;
  const c = mongoose.connection;
  c.on('connected', () => {
    log.info('MongoDB connected', { host: c.host, db: c.name });
    // Once per client (a reconnection keeps its client); the pool opens connections on demand, after this.
    instrumentPool(c);
  });
  c.on('disconnected', () => log.warn('MongoDB disconnected'));
  c.on('reconnected', () => log.info('MongoDB reconnected'));
  c.on('error', (err: Error) => log.error('MongoDB connection error', { error: err.message }));
}

/** Connects; on failure keeps retrying every `retryMs` until connected or disconnectDatabase(). */
export async function connectDatabase(uri: string, retryMs = 5000): Promise<boolean> {
  installListeners();
  stopped = false;
  try {
    await mongoose.connect(uri, CONNECT_OPTIONS);
    return true;
  } catch (err) {
    log.error('MongoDB is not reachable; retrying in the background', { error: (err as Error).message, retryMs });
    const retry = (): void => {
      retryTimer = setTimeout(() => {
        if (stopped) return;
        mongoose.connect(uri, CONNECT_OPTIONS).catch(() => retry());
      }, retryMs);
      retryTimer.unref();
    };
    retry();
    return false;
  }
}

export function databaseConnected(): boolean {
  return mongoose.connection.readyState === mongoose.ConnectionStates.connected;
}

/** Whether the database answers a ping within `timeoutMs`. */
export async function pingDatabase(timeoutMs = 1000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!databaseConnected() || !db) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      db
        .admin()
        .command({ ping: 1 }, { timeoutMS: timeoutMs })
        .then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function disconnectDatabase(): Promise<void> {
  stopped = true;
  if (retryTimer) clearTimeout(retryTimer);
  await mongoose.disconnect();
}
