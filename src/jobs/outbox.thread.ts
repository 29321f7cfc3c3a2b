/**
 * The outbox in its own worker thread (same process): delivery to the Meta Bot, its retries and
 * database updates stay off the thread that answers HTTP and sockets. It has its own database
 * connection; `message:status` events go back to the main thread, which owns the sockets.
 */
import mongoose from 'mongoose';
import { parentPort, workerData } from 'node:worker_threads';
import { CONNECT_OPTIONS } from '../config/database';
import type { Config } from '../config/env';
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
 * message:status events cross to the main thread in batches: those produced in one turn of this
 * thread's event loop (a batch of outcomes) travel in one message.
 */
let statuses: { companyId: string; event: MessageStatusEvent }[] = [];
let statusFlush: NodeJS.Immediate | null = null;
function flushStatuses(): void {
  if (statusFlush) clearImmediate(statusFlush);
  statusFlush = null;
  if (statuses.length === 0) return;
  send({ type: 'messageStatuses', items: statuses });
  statuses = [];
}

const outbox = createOutbox({
  config,
  metaBot: createMetaBotClient({ baseUrl: config.metaBot.baseUrl, timeoutMs: config.metaBot.timeoutMs, apiKey: config.internalApiKey }),
  clock: systemClock,
  realtime: {
    ...silentRealtime,
    messageStatus: (companyId, event) => {
      statuses.push({ companyId, event });
      statusFlush ??= setImmediate(flushStatuses);
    },
  },
});

const scheduler = createScheduler();
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
        flushStatuses();
        send({ type: 'stopped' });
      });
  }
});

void start();
