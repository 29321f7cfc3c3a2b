/**
 * Runs the outbox (src/services/outbox.service.ts) in a worker thread and talks to it: kicks
 * after a send (coalesced), `message:status` relayed to the sockets and the thread's measurements
 * recorded in this thread's metrics (both sent over in batches), a restart if the thread dies, and
 * an orderly stop that lets deliveries in flight finish.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/env';
import { recordThreadMetrics, type ThreadMetric } from '../metrics/outbox';
import type { MessageStatusEvent } from '../socket/events/types';
import type { Realtime } from '../socket/realtime';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('outbox');

export type ToOutboxWorker = { type: 'kick' } | { type: 'stop' };
export type FromOutboxWorker =
  | { type: 'ready' }
  | { type: 'stopped' }
  | { type: 'messageStatuses'; items: { companyId: string; event: MessageStatusEvent }[] }
  | { type: 'metrics'; items: ThreadMetric[] };

export interface OutboxRunner {
  kick(): void;
  stop(): Promise<void>;
}

const KICK_DELAY_MS = 5;
const MAX_RESTARTS = 5;

/** The compiled worker, or (running from TypeScript sources with tsx) the source through tsx's require hook. */
function createWorker(workerData: unknown): Worker {
  const js = path.join(__dirname, 'outbox.thread.js');
  if (existsSync(js)) return new Worker(js, { workerData });
  const ts = path.join(__dirname, 'outbox.thread.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(ts)});`, { eval: true, workerData });
}

export function startOutboxWorker(opts: { config: Config; mongoUri: string; realtime: Realtime }): OutboxRunner {
  let worker: Worker | null = null;
  let stopping = false;
  let restarts = 0;
  let kickTimer: NodeJS.Timeout | null = null;

  const spawn = (): void => {
    if (stopping) return;
    const w = createWorker({ config: opts.config, mongoUri: opts.mongoUri });
    worker = w;
    w.on('message', (m: FromOutboxWorker) => {
      if (m.type === 'messageStatuses') for (const { companyId, event } of m.items) opts.realtime.messageStatus(companyId, event);
      else if (m.type === 'metrics') recordThreadMetrics(m.items);
      else if (m.type === 'ready') {
        restarts = 0;
        log.info('outbox worker ready');
      }
    });
    w.on('error', (err) => log.error('outbox worker crashed', { error: err.message, stack: err.stack }));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      if (stopping) return;
      if (restarts++ < MAX_RESTARTS) {
        log.warn('outbox worker exited; restarting', { code, restarts });
        setTimeout(spawn, 1000 * restarts).unref();
      } else log.error('outbox worker keeps exiting; queued messages wait for the next start', { code });
    });
  };
  spawn();

  return {
    kick: () => {
      if (kickTimer || stopping) return;
      kickTimer = setTimeout(() => {
        kickTimer = null;
        worker?.postMessage({ type: 'kick' } satisfies ToOutboxWorker);
      }, KICK_DELAY_MS);
      kickTimer.unref();
    },
    stop: async () => {
      stopping = true;
      if (kickTimer) clearTimeout(kickTimer);
      const w = worker;
      if (!w) return;
      await new Promise<void>((resolve) => {
        const done = (): void => resolve();
        w.once('exit', done);
        w.on('message', (m: FromOutboxWorker) => {
          if (m.type === 'stopped') void w.terminate().then(done, done);
        });
        w.postMessage({ type: 'stop' } satisfies ToOutboxWorker);
      });
    },
  };
}
