/**
 * The one guard every Socket.io listener runs in. A client decides which event names reach the
 * server and with what arguments, so:
 * - names Socket.io or Node's EventEmitter give a meaning to (`error`, `disconnect`,
 *   `newListener`, …) are dropped before any listener sees them: only the server raises those;
 * - a listener that throws or rejects is logged (a few lines a minute per user) and its ack, if any, answered with
 *   `{ ok: false }`; nothing reaches the process's uncaughtException handler.
 */
import type { Socket } from 'socket.io';
import { logThrottle } from '../utils/logThrottle';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('socket');
const throttled = logThrottle(log);

/** Event names a client may never emit (Socket.io's reserved names and EventEmitter's own). */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  'connect',
  'connect_error',
  'connection',
  'disconnect',
  'disconnecting',
  'error',
  'newListener',
  'removeListener',
]);

type AnySocket = Pick<Socket, 'use' | 'on' | 'data' | 'id'>;
export type AckFn = (res: { ok: boolean; error?: string }) => void;

function userOf(socket: AnySocket): string | undefined {
  return (socket.data as { userId?: string } | undefined)?.userId;
}

function lastFunction(args: unknown[]): AckFn | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as AckFn) : undefined;
}

function answer(ack: AckFn | undefined, error: string): void {
  try {
    ack?.({ ok: false, error });
  } catch {
    // The ack belongs to a connection that is already gone.
  }
}

/** Drops client packets that use a reserved event name (installed once per connection). */
export function dropReservedEvents(socket: AnySocket): void {
  socket.use((packet, next) => {
    const name: unknown = packet[0];
    if (typeof name === 'string' && !RESERVED_EVENTS.has(name)) {
      next();
      return;
    }
    throttled(`reserved:${userOf(socket)}`, 'warn', 'socket packet with a reserved event name dropped', {
      event: String(name).slice(0, 64),
      userId: userOf(socket),
    });
    answer(lastFunction(packet), 'reserved event name');
  });
}

/**
 * Registers `handler` for `event` so that nothing it does can escape: a synchronous throw and a
 * rejected promise are both caught, logged (at most a few lines a minute per event) and answered.
 */
export function guardedOn(socket: AnySocket, event: string, handler: (...args: unknown[]) => unknown): void {
  socket.on(event, (...args: unknown[]) => {
    const fail = (err: unknown): void => {
      throttled(`handler:${event}:${userOf(socket)}`, 'error', 'socket handler failed', {
        event,
        userId: userOf(socket),
        error: err instanceof Error ? err.message : String(err),
      });
      answer(lastFunction(args), 'internal error');
    };
    try {
      const result = handler(...args);
      if (result instanceof Promise) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  });
}

/** Server-side `error` events (a packet refused by a middleware, an invalid packet): logged, never thrown. */
export function logSocketErrors(socket: AnySocket): void {
  guardedOn(socket, 'error', (err: unknown) => {
    throttled(`socket-error:${userOf(socket)}`, 'warn', 'socket error', {
      userId: userOf(socket),
      error: err instanceof Error ? err.message : typeof err === 'string' ? err : 'non-error value',
    });
  });
}
