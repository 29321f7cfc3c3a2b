/**
 * Runs the embedded server (src/embedded-mongo/embedded.thread.ts) in a worker thread and talks to
 * it: the start resolves with its address or rejects with the thread's own start error; stop()
 * asks for an orderly stop (connections closed, journal flushed, files and the dbPath lock
 * released) and terminates the thread if that takes too long; a thread that dies on its own is
 * logged and restarted once on the same address and dbPath.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EmbeddedMongo, EmbeddedMongoOptions } from '../embedded-mongo';
import type { FromEmbeddedThread, ThreadError, ToEmbeddedThread } from '../embedded-mongo/embedded.thread';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('embedded-mongo');

const STOP_TIMEOUT_MS = 10_000;

/**
 * One restart, not none and not a loop. A thread dies of an uncaught error in the server or of
 * its memory running out; the writes it acknowledged are in the journal, which a restart recovers
 * as after kill -9, and the drivers of the main and outbox threads reconnect to the same address
 * by themselves: a one-off crash costs seconds of 503. A second death means something repeats (a
 * request that crashes it, memory): the database stays down, readiness answers 503 and the log
 * says why, until an operator restarts the process.
 */
const MAX_RESTARTS = 1;

export interface EmbeddedThreadOptions extends EmbeddedMongoOptions {
  /** How long stop() waits for the orderly stop before it terminates the thread. */
  stopTimeoutMs?: number;
}

export interface EmbeddedMongoThread extends EmbeddedMongo {
  /** The thread the server runs in (another one after a restart); null once it died for good or stopped. */
  readonly threadId: number | null;
  /** Ends the thread at once, nothing flushed, as a crash would: handled as an unexpected death. */
  kill(): Promise<void>;
}

/** dbPaths held by a thread of this process: the dbPath lock tells processes apart, not threads. */
const dbPathsInUse = new Set<string>();

/** The compiled thread, or (running from TypeScript sources) the source through tsx's require hook. */
function createWorker(options: EmbeddedMongoOptions): Worker {
  const dir = path.join(__dirname, '..', 'embedded-mongo');
  const js = path.join(dir, 'embedded.thread.js');
  if (existsSync(js)) return new Worker(js, { workerData: options });
  const ts = path.join(dir, 'embedded.thread.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(ts)});`, { eval: true, workerData: options });
}

function rebuilt(e: ThreadError): Error {
  const err: NodeJS.ErrnoException = new Error(e.message);
  err.name = e.name;
  if (e.code) err.code = e.code;
  if (e.stack) err.stack = e.stack;
  return err;
}

/** A thread whose server is listening, or the reason it is not (the thread is gone by then). */
async function spawn(options: EmbeddedMongoOptions): Promise<{ worker: Worker; uri: string; port: number; host: string }> {
  const worker = createWorker(options);
  const listeners: { message?: (m: FromEmbeddedThread) => void; error?: (e: Error) => void; exit?: (c: number) => void } = {};
  try {
    const ready = await new Promise<Extract<FromEmbeddedThread, { type: 'ready' }>>((resolve, reject) => {
      listeners.message = (m) => {
        if (m.type === 'ready') resolve(m);
        else if (m.type === 'failed') reject(rebuilt(m.error));
      };
      listeners.error = reject;
      listeners.exit = (code) => reject(new Error(`the embedded MongoDB thread exited while starting (code ${code})`));
      worker.on('message', listeners.message).on('error', listeners.error).on('exit', listeners.exit);
    });
    return { worker, uri: ready.uri, port: ready.port, host: ready.host };
  } catch (err) {
    await worker.terminate();
    throw err;
  } finally {
    worker.off('message', listeners.message!).off('error', listeners.error!).off('exit', listeners.exit!);
  }
}

/** Asks the thread to stop and waits until it is gone; rejects if the stop failed or timed out. */
function stopThread(worker: Worker, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // undefined: no answer yet; null: stopped in order.
    let outcome: Error | null | undefined;
    const timer = setTimeout(() => {
      outcome = new Error(`the embedded MongoDB thread did not stop within ${timeoutMs} ms; terminated it`);
      void worker.terminate();
    }, timeoutMs);
    worker.on('message', (m: FromEmbeddedThread) => {
      if (m.type === 'stopped') outcome = null;
      else if (m.type === 'stopFailed') outcome = rebuilt(m.error);
      else return;
      // Its files are closed: nothing is lost by ending the thread now.
      void worker.terminate();
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      if (outcome === null) resolve();
      else reject(outcome ?? new Error(`the embedded MongoDB thread exited while stopping (code ${code})`));
    });
    worker.postMessage({ type: 'stop' } satisfies ToEmbeddedThread);
  });
}

export async function startEmbeddedThread(options: EmbeddedThreadOptions): Promise<EmbeddedMongoThread> {
  const { stopTimeoutMs = STOP_TIMEOUT_MS, ...serverOptions } = options;
  const dbPath = serverOptions.dbPath ? path.resolve(serverOptions.dbPath) : undefined;
  if (dbPath && dbPathsInUse.has(dbPath)) throw new Error(`dbPath ${dbPath} is in use by an embedded MongoDB thread of this process`);
  if (dbPath) dbPathsInUse.add(dbPath);
  const release = (): void => {
    if (dbPath) dbPathsInUse.delete(dbPath);
  };

  let first: Awaited<ReturnType<typeof spawn>>;
  try {
    first = await spawn(serverOptions);
  } catch (err) {
    release();
    throw err;
  }
  const { uri, port, host } = first;
  let worker: Worker | null = first.worker;
  let restarts = 0;
  let restarting: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;

  const watch = (w: Worker): void => {
    const threadId = w.threadId;
    w.on('error', (err) => log.error('embedded MongoDB thread failed', { threadId, error: err.message, stack: err.stack }));
    w.once('exit', (code) => {
      if (stopping || worker !== w) return;
      worker = null;
      if (restarts >= MAX_RESTARTS) {
        log.error('embedded MongoDB thread died again; not restarting it: the database is down until the process is restarted', {
          threadId,
          code,
          uri,
        });
        return;
      }
      restarts++;
      log.error('embedded MongoDB thread died unexpectedly; restarting it once on the same port and dbPath', { threadId, code, uri });
      restarting = restart().finally(() => {
        restarting = null;
      });
    });
  };
  const restart = async (): Promise<void> => {
    try {
      const next = await spawn({ ...serverOptions, port, host });
      worker = next.worker;
      watch(next.worker);
      log.warn('embedded MongoDB thread restarted', { threadId: next.worker.threadId, uri });
    } catch (err) {
      const error = (err as Error).message;
      log.error('embedded MongoDB thread could not be restarted: the database is down until the process is restarted', { error, uri });
    }
  };
  watch(first.worker);

  return {
    uri,
    port,
    host,
    get threadId() {
      return worker?.threadId ?? null;
    },
    kill: async () => {
      await worker?.terminate();
    },
    stop: () =>
      (stopping ??= (async () => {
        try {
          await restarting;
          const w = worker;
          worker = null;
          if (w) await stopThread(w, stopTimeoutMs);
        } finally {
          release();
        }
      })()),
  };
}
