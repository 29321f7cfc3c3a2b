/**
 * The PetBuddy process: one HTTP server shared by Express and Socket.io (and, with METRICS_PORT,
 * an internal one for /metrics), the job scheduler, and graceful shutdown. With MONGODB_URI unset
 * it starts the embedded MongoDB-compatible server (data under DATA_DIR/db).
 *
 * Shutdown (SIGTERM/SIGINT): readiness turns 503, the server stops accepting, in-flight requests
 * finish, sockets close, jobs stop, Mongoose and the embedded server close, exit 0. A forced exit
 * (code 1) follows after SHUTDOWN_GRACE_MS. An uncaught exception is logged and shuts down with
 * exit 1 (the process state is unknown); an unhandled rejection is logged as an error and the
 * process keeps serving.
 */
import { createServer, type Server as HttpServer, type ServerOptions } from 'node:http';
import * as path from 'node:path';
import type { Express } from 'express';
import { buildApp } from './src/app';
import { connectDatabase, disconnectDatabase } from './src/config/database';
import { connectRedis } from './src/config/redis';
import { ConfigError, getConfig, type Config } from './src/config/env';
import { startEmbeddedForApp } from './src/config/embedded';
import { checkMigrations } from './src/migrations';
import type { EmbeddedMongo } from './src/embedded-mongo';
import { createScheduler, type Scheduler } from './src/jobs/scheduler';
import { startMetricsListener } from './src/metrics/listener';
import { createAccessVerifier } from './src/middleware/auth';
import { createReadiness } from './src/services/health.service';
import { shareAuthUserForgetting } from './src/services/authUsers';
import { startOutboxWorker } from './src/jobs/outbox.host';
import { calendarSyncJob } from './src/jobs/calendarSync.job';
import { tokenRefreshJob } from './src/jobs/tokenRefresh.job';
import { silentRealtime, socketRealtime, type IoServer, type Realtime } from './src/socket/realtime';
import { createSocketServer } from './src/socket/socketServer';
import { systemClock } from './src/utils/clock';
import { configureLogger, logger, moduleLogger } from './src/utils/logger';

const log = moduleLogger('server');

export interface StartOptions {
  config?: Config;
  /** Extra routes (tests). */
  extendApp?: (app: Express) => void;
}

export interface RunningServer {
  config: Config;
  http: HttpServer;
  io: IoServer;
  scheduler: Scheduler;
  url: string;
  /** The internal listener's /metrics URL (METRICS_PORT set), else undefined: /metrics is on `url` if anywhere. */
  metricsUrl: string | undefined;
  shutdown(reason: string, exitCode?: number): Promise<void>;
}

/**
 * Timeouts of the HTTP server, against clients that send headers or a body slowly (or declare a
 * Content-Length and stop): they get 408 and the connection is closed. Node checks for expired
 * requests every connectionsCheckingInterval (30 s by default), so the check runs often enough
 * for the timeouts to hold within about a quarter of their length. They bound receiving a request
 * only: a held long-polling response or an upgraded WebSocket is not affected.
 */
export function httpServerOptions(config: Config): ServerOptions {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.http;
  return {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
  };
}

function announce(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = options.config ?? getConfig();
  configureLogger({ env: config.env, level: config.logLevel, logDir: config.logDir });
  if (config.generatedSecrets.length > 0 && config.env === 'development') {
    announce(`Generated development secrets (${config.generatedSecrets.join(', ')}) in ${path.join(config.dataDir, 'secrets.json')}`);
  }

  let embedded: EmbeddedMongo | undefined;
  let mongoUri = config.mongodbUri;
  if (!mongoUri) {
    const started = await startEmbeddedForApp(config);
    embedded = started.server;
    mongoUri = started.uri;
    announce(`Embedded MongoDB at ${mongoUri} (data in ${started.dbPath})`);
    log.info('embedded MongoDB started in a worker thread', { uri: mongoUri, dbPath: started.dbPath, threadId: started.server.threadId });
  }
  await connectDatabase(mongoUri);
  // Several processes share sockets, rate limits and cache invalidation through Redis; without REDIS_URL, one process.
  const redis = config.redis ? await connectRedis(config.redis.url, config.redis.keyPrefix) : undefined;
  if (redis) log.info('Redis configured', { ready: redis.isReady() });
  // In the background: a database that is down is retried without holding up the start.
  void checkMigrations()
    .then((needed) => {
      if (needed.length === 0) return;
      announce(`Data migrations pending (${needed.join(', ')}): run \`npm run migrate\``);
      log.warn('data migrations pending: run npm run migrate', { migrations: needed });
    })
    .catch((err: Error) => log.warn('could not check data migrations', { error: err.message }));

  const readiness = createReadiness(undefined, redis && (() => redis.ping(500)));
  // The app needs the realtime emitter and the socket server needs the HTTP server: wire them
  // through a late-bound reference.
  let realtime: Realtime = silentRealtime;
  const lateRealtime: Realtime = {
    messageNew: (c, e) => realtime.messageNew(c, e),
    messageStatus: (c, e) => realtime.messageStatus(c, e),
    appointment: (c, e, p) => realtime.appointment(c, e, p),
    disconnectUser: (u) => realtime.disconnectUser(u),
  };
  // Delivery to the Meta Bot runs in a worker thread, off the thread that answers requests.
  const outbox = startOutboxWorker({ config, mongoUri, realtime: lateRealtime });
  // One verifier (and its user cache) for HTTP and WebSocket authentication.
  const verifyAccess = createAccessVerifier(config);
  const app = buildApp({
    config,
    readiness,
    verifyAccess,
    realtime: lateRealtime,
    kickOutbox: () => outbox.kick(),
    ...(redis ? { redis } : {}),
    ...(options.extendApp ? { extend: options.extendApp } : {}),
  });
  const http = createServer(httpServerOptions(config), app);
  const scheduler = createScheduler();
  scheduler.add(calendarSyncJob({ config, clock: systemClock }));
  scheduler.add(tokenRefreshJob({ config }));
  const sockets = createSocketServer(http, config, verifyAccess, scheduler, redis ? { redis } : {});
  // A user changed or deleted through any process is forgotten by the auth cache of every process.
  if (redis) shareAuthUserForgetting(redis);
  const io = sockets.io;
  realtime = socketRealtime(io);
  scheduler.start();

  // Prometheus scrapes a second, internal listener when METRICS_PORT is set, never the public port.
  const metrics = await startMetricsListener(config);
  if (metrics) {
    announce(`Metrics on ${metrics.url}`);
    log.info('metrics listener started', { url: metrics.url });
  }
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  announce(`PetBuddy API listening on ${url} (${config.env})`);
  log.info('listening', { url, env: config.env });

  let shuttingDown: Promise<void> | null = null;
  const shutdown = (reason: string, exitCode = 0): Promise<void> => {
    shuttingDown ??= (async () => {
      log.info('shutdown: started', { reason });
      const force = setTimeout(() => {
        log.error('shutdown: grace period over, forcing exit', { graceMs: config.shutdownGraceMs });
        process.exit(1);
      }, config.shutdownGraceMs);
      force.unref();
      readiness.beginShutdown();
      log.info('shutdown: readiness now answers 503');
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      const idleCloser = setInterval(() => http.closeIdleConnections(), 100);
      http.closeIdleConnections();
      log.info('shutdown: no longer accepting connections; waiting for in-flight requests');
      sockets.close();
      log.info('shutdown: socket connections closed');
      await httpClosed;
      clearInterval(idleCloser);
      log.info('shutdown: in-flight requests finished');
      if (metrics) {
        await metrics.close();
        log.info('shutdown: metrics listener closed');
      }
      await scheduler.stop();
      await outbox.stop();
      log.info('shutdown: jobs stopped');
      await redis?.close().catch((err: Error) => log.error('shutdown: Redis close failed', { error: err.message }));
      await disconnectDatabase().catch((err: Error) => log.error('shutdown: database close failed', { error: err.message }));
      log.info('shutdown: database connection closed');
      if (embedded) {
        await embedded.stop();
        log.info('shutdown: embedded MongoDB stopped');
      }
      log.info('shutdown: complete', { exitCode });
      clearTimeout(force);
    })();
    return shuttingDown;
  };

  return { config, http, io, scheduler, url, metricsUrl: metrics?.url, shutdown };
}

async function flushLogs(): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1000);
    logger.on('finish', () => {
      clearTimeout(timer);
      resolve();
    });
    logger.end();
  });
}

/** Runs the process: starts, and wires signals and process-level error handlers to shutdown. */
export async function main(options: StartOptions = {}): Promise<void> {
  let server: RunningServer | undefined;
  // A signal or exception while starting is held until the server exists, then acted on: the
  // handlers are in place before anything starts, so no signal finds the process without them.
  let pending: { reason: string; code: number } | undefined;
  const stop = (reason: string, code: number): void => {
    if (!server) {
      pending ??= { reason, code };
      return;
    }
    void server
      .shutdown(reason, code)
      .catch((err: Error) => {
        // A step that failed must not leave the process half stopped: exit with a failure.
        log.error('shutdown failed', { error: err.message, stack: err.stack });
        code = 1;
      })
      .then(async () => {
        await flushLogs();
        process.exit(code);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception; shutting down', { error: err.message, stack: err.stack });
    stop('uncaughtException', 1);
  });
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    log.error('unhandled promise rejection', { error: err.message, stack: err.stack });
  });
  try {
    server = await startServer(options);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`PetBuddy refused to start.\n${err.message}\n`);
    } else {
      process.stderr.write(`PetBuddy failed to start: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exit(1);
  }
  if (pending) stop(pending.reason, pending.code);
}

if (require.main === module) {
  void main();
}
