/**
 * The internal metrics listener (METRICS_PORT): a second HTTP server that answers only GET
 * /metrics, bound to METRICS_HOST (127.0.0.1 by default) so the public port never exposes it.
 * METRICS_TOKEN, when set, is required here too.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import type { Config } from '../config/env';
import { errorHandler, notFoundHandler } from '../middleware/errorHandler';
import { metricsGuard, serveMetrics } from './metrics.routes';

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

function metricsApp(config: Config): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsGuard(config.metrics.token), serveMetrics);
  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}

/** Starts the listener when METRICS_PORT is set (undefined otherwise). */
export async function startMetricsListener(config: Config): Promise<MetricsListener | undefined> {
  const { port, host } = config.metrics;
  if (port === undefined) return undefined;
  const server: Server = createServer(metricsApp(config));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    // A scrape is a read: connections left open (Prometheus keeps them alive) are closed at once.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
