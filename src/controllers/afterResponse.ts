/**
 * Runs `fn` once the response has been handed to the connection ('finish'), or once the
 * connection closed without it (also when that happened before this is called): a `message:new` for a message created over HTTP must not reach
 * the sending tab before the 201 that tells it the message's real id (contract B-25).
 */
import type { Response } from 'express';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('http');

export function afterResponse(res: Response, fn: () => void): void {
  let done = false;
  const run = (): void => {
    if (done) return;
    done = true;
    try {
      fn();
    } catch (err) {
      log.error('after-response step failed', { error: (err as Error).message });
    }
  };
  // Already over (the client gave up while the write was in progress): 'close' has been emitted
  // and will not come again, and the event must still reach the other tabs.
  const socket = res.socket;
  if (res.writableFinished || res.destroyed || !socket || socket.destroyed) {
    run();
    return;
  }
  res.once('finish', run);
  res.once('close', run);
}
