/**
 * The process's metrics registry (prom-client): its own Registry rather than prom-client's global
 * one, created on first use with the default Node metrics (event-loop lag, heap, GC, CPU, handles).
 * Every PetBuddy family is defined in src/metrics/families.ts; recording goes through safely(),
 * because a metric must never break the request, job or delivery it describes.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('metrics');

let registry: Registry | undefined;

/** The registry /metrics serves (one per process; a worker thread never creates it unless it records). */
export function metricsRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

/** Runs a recording step; an error in it is logged at debug and goes no further. */
export function safely(what: string, record: () => void): void {
  try {
    record();
  } catch (err) {
    log.debug('metric not recorded', { metric: what, error: (err as Error).message });
  }
}

/** Same as safely(), for the awaited collect() of a metric read at scrape time. */
export async function safelyAsync(what: string, collect: () => Promise<void>): Promise<void> {
  try {
    await collect();
  } catch (err) {
    log.debug('metric not collected', { metric: what, error: (err as Error).message });
  }
}
