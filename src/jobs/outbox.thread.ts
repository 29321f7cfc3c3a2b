/**
 * The outbox in its own worker thread (same process): delivery to the Meta Bot, its retries and
 * database updates stay off the thread that answers HTTP and sockets. It has its own database
 * connection; `message:status` events go back to the main thread, which owns the sockets, and so
 * do its measurements (delivery outcomes, poll runs), which the main thread's /metrics serves.
 */
import mongoose from 'mongoose';
import { parentPort, workerData } from 'node:worker_threads';
import { CONNECT_OPTIONS } from '../config/database';
import type { Config } from '../config/env';
import type { ThreadMetric } from '../metrics/outbox';
import type { MessageStatusEvent } from '../socket/events/types';
import { silentRealtime } from '../socket/realtime';
import { createScheduler } from './scheduler';
import { createMetaBotClient } from '../services/metaBot.client';
import { createOutbox } from '../services/outbox.service';
import { systemClock } from '../utils/clock';
import { configureLogger, moduleLogger } from '../utils/logger';
import type { FromOutboxWorker, ToOutboxWorker } from './outbox.host';

const { config, mongoUri } = workerData as { config: Config; mongoUri: string };
const port = parentPort!;
const send = (m: FromOutboxWorker): void => port.postMessage(m);

configureLogger({ env: config.env, level: config.logLevel, logDir: config.logDir });
const log = moduleLogger('outbox-worker');

/**
 * message:status events and measurements cross to the main thread in batches: those produced in
 * one turn of this thread's event loop (a batch of outcomes) travel in one message.
 */
function batched<T>(post: (items: T[]) => void): { add(item: T): void; flush(): void } {
  let items: T[] = [];
  let pending: NodeJS.Immediate | null = null;
  const flush = (): void => {
    if (pending) clearImmediate(pending);
    pending = null;
    if (items.length === 0) return;
    post(items);
    items = [];
  };
  return {
    add: (item) => {
      items.push(item);
      pending ??= setImmediate(flush);
    },
    flush,
  };
}

const statuses = batched<{ companyId: string; event: MessageStatusEvent }>((items) => send({ type: 'messageStatuses', items }));
const metrics = batched<ThreadMetric>((items) => send({ type: 'metrics', items }));

const outbox = createOutbox({
  config,
  metaBot: createMetaBotClient({ baseUrl: config.metaBot.baseUrl, timeoutMs: config.metaBot.timeoutMs, apiKey: config.internalApiKey }),
  clock: systemClock,
  realtime: { ...silentRealtime, messageStatus: (companyId, event) => statuses.add({ companyId, event }) },
  onOutcome: (delivery) => metrics.add({ delivery }),
});

const scheduler = createScheduler({ onRun: (jobRun) => metrics.add({ jobRun }) });
let stopping = false;

/** Connects, retrying until it succeeds or a stop is asked (the database may be down at boot). */
async function connect(): Promise<boolean> {
  for (let attempt = 1; !stopping; attempt++) {
    try {
      await mongoose.connect(mongoUri, CONNECT_OPTIONS);
      return true;
    } catch (err) {
      log.error('outbox worker cannot reach MongoDB; retrying', { error: (err as Error).message, attempt });
      await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * attempt)));
    }
  }
  return false;
}

async function start(): Promise<void> {
  if (!(await connect())) return;
  // The poll: no overlapping runs, errors logged, as every scheduled job.
  scheduler.add({ name: 'outbox-delivery', intervalMs: config.outbox.pollMs, initialDelayMs: 0, run: () => outbox.drain() });
  scheduler.start();
  send({ type: 'ready' });
}

port.on('message', (m: ToOutboxWorker) => {
  if (m.type === 'kick') outbox.kick();
  else if (m.type === 'stop') {
    stopping = true;
    void scheduler
      .stop()
      .then(() => outbox.stop())
      .then(() => mongoose.disconnect())
      .catch((err: Error) => log.error('outbox worker stop failed', { error: err.message }))
      .finally(() => {
        statuses.flush();
        metrics.flush();
        send({ type: 'stopped' });
      });
  }
});

void start();
