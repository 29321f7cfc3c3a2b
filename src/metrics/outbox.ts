/**
 * Outbox metrics. Deliveries happen in the outbox thread, whose registry nobody scrapes: the thread
 * sends what it measured (delivery outcomes, its scheduler's job runs) to the host in batches
 * (src/jobs/outbox.thread.ts), and the host records them here, in the main thread's registry.
 * The depth gauge is read at scrape time (src/metrics/families.ts).
 */
import { appMetrics } from './families';
import { recordJobRun, type JobRun } from './jobs';
import { safely } from './registry';

/**
 * What became of one delivery attempt: sent, scheduled for a retry, given up (failed), or the
 * outcome dropped because the lease expired and another worker had taken the message over.
 */
export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'lease_lost';

/** A measurement the outbox thread hands to the host. */
export type ThreadMetric = { delivery: DeliveryOutcome } | { jobRun: JobRun };

export function recordDelivery(outcome: DeliveryOutcome): void {
  safely('petbuddy_outbox_deliveries_total', () => appMetrics().outboxDeliveries.inc({ outcome }));
}

export function recordThreadMetrics(items: readonly ThreadMetric[]): void {
  safely('outbox thread metrics', () => {
    for (const item of items) {
      if ('delivery' in item) recordDelivery(item.delivery);
      else recordJobRun(item.jobRun);
    }
  });
}
