/**
 * The outbox in its own worker thread (same process): delivery to the Meta Bot, its retries and
 * database updates stay off the thread that answers HTTP and sockets. It has its own database
 * connection; `message:status` events go back to the main thread, which owns the sockets.
 */
import mongoose from 'mongoose';
import { parentPort, workerData } from 'node:worker_threads';
import { CONNECT_OPTIONS } from '../config/database';
import type { Config } from '../config/env';
import { createMetaBotClient } from '../services/metaBot.client';
import { createOutbox } from '../services/outbox.service';
import { systemClock } from '../utils/clock';
import { configureLogger, moduleLogger } from '../utils/logger';
import type { FromOutboxWorker, ToOutboxWorker } from './outboxWorker';

const { config, mongoUri } = workerData as { config: Config; mongoUri: string };
const port = parentPort!;
const send = (m: FromOutboxWorker): void => port.postMessage(m);

configureLogger({ env: config.env, level: config.logLevel, logDir: config.logDir });
const log = moduleLogger('outbox-worker');

const outbox = createOutbox({
  config,
  metaBot: createMetaBotClient({ baseUrl: config.metaBot.baseUrl, timeoutMs: config.metaBot.timeoutMs, apiKey: config.internalApiKey }),
  clock: systemClock,
  realtime: {
    messageNew: () => undefined,
    messageStatus: (companyId, event) => send({ type: 'messageStatus', companyId, event }),
    disconnectUser: () => undefined,
  },
});

let timer: NodeJS.Timeout | null = null;

async function start(): Promise<void> {
  await mongoose.connect(mongoUri, CONNECT_OPTIONS);
  // Poll as the scheduler would: no overlapping drains (drain() coalesces), errors logged.
  timer = setInterval(() => outbox.kick(), config.outbox.pollMs);
  outbox.kick();
  send({ type: 'ready' });
}

port.on('message', (m: ToOutboxWorker) => {
  if (m.type === 'kick') outbox.kick();
  else if (m.type === 'stop') {
    if (timer) clearInterval(timer);
    void outbox
      .stop()
      .then(() => mongoose.disconnect())
      .catch((err: Error) => log.error('outbox worker stop failed', { error: err.message }))
      .finally(() => send({ type: 'stopped' }));
  }
});

start().catch((err: Error) => {
  log.error('outbox worker failed to start', { error: err.message });
  process.exitCode = 1;
  send({ type: 'failed', error: err.message });
});
