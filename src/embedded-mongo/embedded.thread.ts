/**
 * The embedded server in a worker thread of its own: started with the options in workerData, it
 * tells its host (src/config/embedded.host.ts) its address or why it could not start, and on
 * `stop` closes its connections and flushes and closes its files before saying so. Commands then
 * run here, never on the thread that answers HTTP and sockets.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startEmbeddedMongo, type EmbeddedMongo, type EmbeddedMongoOptions } from './server';

export type ToEmbeddedThread = { type: 'stop' };

/** An Error as it crosses threads: its `code` (EADDRINUSE, …) too, which structured cloning drops. */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type FromEmbeddedThread =
  | { type: 'ready'; uri: string; port: number; host: string }
  | { type: 'failed'; error: ThreadError }
  | { type: 'stopped' }
  | { type: 'stopFailed'; error: ThreadError };

const port = parentPort!;
const send = (m: FromEmbeddedThread): void => port.postMessage(m);

function threadError(err: unknown): ThreadError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const { code } = err as NodeJS.ErrnoException;
  return { name: err.name, message: err.message, ...(code ? { code } : {}), ...(err.stack ? { stack: err.stack } : {}) };
}

let server: EmbeddedMongo | null = null;

port.on('message', (m: ToEmbeddedThread) => {
  if (m.type !== 'stop') return;
  void (server ? server.stop() : Promise.resolve()).then(
    () => send({ type: 'stopped' }),
    (err: unknown) => send({ type: 'stopFailed', error: threadError(err) }),
  );
});

startEmbeddedMongo(workerData as EmbeddedMongoOptions).then(
  (started) => {
    server = started;
    send({ type: 'ready', uri: started.uri, port: started.port, host: started.host });
  },
  (err: unknown) => send({ type: 'failed', error: threadError(err) }),
);
