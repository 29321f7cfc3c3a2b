/**
 * Every PetBuddy metric family: names, help, labels and buckets in one place, defined once per
 * registry (a second buildApp() or socket server in the process reuses them). Label values come
 * from fixed sets (route patterns, event and job names, outcomes), never from ids or raw URLs.
 */
import mongoose from 'mongoose';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { Message } from '../models/Message';
import { crossTenant } from '../models/plugins/tenantScoped';
import { metricsRegistry, safelyAsync } from './registry';

export interface AppMetrics {
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  socketConnections: Gauge;
  socketEvents: Counter<'event'>;
  outboxDepth: Gauge;
  outboxDeliveries: Counter<'outcome'>;
  jobRuns: Counter<'job' | 'outcome'>;
  jobDuration: Histogram<'job'>;
  dbOpenConnections: Gauge;
  dbInUseConnections: Gauge;
  dbCheckoutFailures: Counter<'reason'>;
}

/** How long the outbox depth count may take before a scrape goes on without it. */
const DEPTH_TIMEOUT_MS = 1000;

/** Messages waiting for delivery, counted on the partial index of queued messages (main thread's connection). */
async function queuedMessages(): Promise<number | undefined> {
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      crossTenant(Message.countDocuments({ delivery_status: 'queued' }))
        .maxTimeMS(DEPTH_TIMEOUT_MS)
        .exec(),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), DEPTH_TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function define(registers: Registry[]): AppMetrics {
  return {
    httpDuration: new Histogram({
      name: 'petbuddy_http_request_duration_seconds',
      help: 'HTTP request duration by method, matched route pattern ("unmatched" when no route matched) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    socketConnections: new Gauge({ name: 'petbuddy_socket_connections', help: 'Connected Socket.io clients', registers }),
    socketEvents: new Counter({
      name: 'petbuddy_socket_events_sent_total',
      help: 'Socket.io events sent to clients by event name (a broadcast counts once per receiving socket)',
      labelNames: ['event'],
      registers,
    }),
    outboxDepth: new Gauge({
      name: 'petbuddy_outbox_depth',
      help: 'Outbox messages waiting for delivery (queued, including those being delivered), read at scrape time',
      registers,
      async collect() {
        await safelyAsync('petbuddy_outbox_depth', async () => {
          const depth = await queuedMessages();
          // Unknown (database down or slow): the last value read stays.
          if (depth !== undefined) this.set(depth);
        });
      },
    }),
    outboxDeliveries: new Counter({
      name: 'petbuddy_outbox_deliveries_total',
      help: 'Outbox delivery attempts to the Meta Bot by outcome (delivered, retry, failed, lease_lost)',
      labelNames: ['outcome'],
      registers,
    }),
    jobRuns: new Counter({
      name: 'petbuddy_job_runs_total',
      help: 'Scheduled job runs by job and outcome (success, error, skipped: the previous run was still going)',
      labelNames: ['job', 'outcome'],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'petbuddy_job_duration_seconds',
      help: 'Duration of scheduled job runs',
      labelNames: ['job'],
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    }),
    dbOpenConnections: new Gauge({ name: 'petbuddy_db_pool_open_connections', help: 'Open database pool connections', registers }),
    dbInUseConnections: new Gauge({
      name: 'petbuddy_db_pool_in_use_connections',
      help: 'Database pool connections checked out by an operation',
      registers,
    }),
    dbCheckoutFailures: new Counter({
      name: 'petbuddy_db_pool_checkout_failures_total',
      help: 'Database pool checkouts that failed, by reason (timeout, connectionError, poolClosed)',
      labelNames: ['reason'],
      registers,
    }),
  };
}

const defined = new WeakMap<Registry, AppMetrics>();

/** The families of `registry` (by default the process's), defined on first use. */
export function appMetrics(registry: Registry = metricsRegistry()): AppMetrics {
  let metrics = defined.get(registry);
  if (!metrics) {
    metrics = define([registry]);
    defined.set(registry, metrics);
  }
  return metrics;
}
