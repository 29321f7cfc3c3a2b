/**
 * Raw Engine.IO connections over a websocket (the `ws` package Socket.io itself runs on), to send
 * frames no Socket.io client would, and a probe that tells whether the server still answers one.
 *
 * Frames: `0` open, `2`/`3` ping/pong, `4` message; a message carries a Socket.IO packet: `40`
 * connect (with the auth object), `42` event, `43` ack, … `421[...]` is an event asking for ack 1.
 */
import WebSocket, { type RawData } from 'ws';
import { newObjectId } from '../factories/accounts';
import { STALL_MS } from './support';

export interface RawConnection {
  ws: WebSocket;
  /** The access token it connects to the namespace with. */
  token: string;
  /** Resolves with the next frame that matches, or with null once the server closed the connection. */
  next(match: RegExp, timeoutMs?: number): Promise<string | null>;
  close(): void;
}

const text = (data: RawData): string => (Buffer.isBuffer(data) ? data.toString() : Buffer.from(data as ArrayBuffer).toString());

/** A websocket past the Engine.IO handshake; when `connect`, also connected to the main namespace. */
export async function openRaw(url: string, token: string, connect = true): Promise<RawConnection> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const frames: string[] = [];
  const waiting = new Set<() => void>();
  let closed = false;
  const wake = (): void => waiting.forEach((w) => w());
  ws.on('message', (data) => {
    frames.push(text(data));
    wake();
  });
  ws.on('close', () => {
    closed = true;
    wake();
  });
  ws.on('error', () => undefined);
  const next = (match: RegExp, timeoutMs = STALL_MS): Promise<string | null> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(check);
        reject(new Error(`no frame matching ${match} within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        const i = frames.findIndex((f) => match.test(f));
        if (i < 0 && !closed) return;
        clearTimeout(timer);
        waiting.delete(check);
        resolve(i < 0 ? null : frames.splice(i, 1)[0]!);
      };
      waiting.add(check);
      check();
    });
  const connection: RawConnection = { ws, token, next, close: () => ws.terminate() };
  if ((await next(/^0\{/)) === null) throw new Error('the Engine.IO handshake failed');
  if (connect) {
    ws.send(`40${JSON.stringify({ token })}`);
    if ((await next(/^40\{/)) === null) throw new Error('the namespace connect was refused');
  }
  return connection;
}

/**
 * Whether the server still serves this connection, whatever state the frames before left it in:
 * it answers a `conversation:leave` with an ack, or, when that goes unanswered for a moment (no
 * namespace any more), a namespace connect; or it has closed the connection ('dropped'). Nothing
 * within STALL_MS is a stall. The connect is not sent at once: it would close a connection that is
 * still in the namespace before the server dispatched the frames already sent.
 */
export async function rawAnswersOrDrops(c: RawConnection): Promise<'answered' | 'dropped'> {
  if (c.ws.readyState !== WebSocket.OPEN) return 'dropped';
  const ackId = 900 + Math.floor(Math.random() * 1000);
  c.ws.send(`42${ackId}${JSON.stringify(['conversation:leave', { conversationId: newObjectId() }])}`);
  const acked = await c.next(new RegExp(`^43${ackId}\\[`), 500).catch(() => undefined);
  if (acked !== undefined) return acked === null ? 'dropped' : 'answered';
  c.ws.send(`40${JSON.stringify({ token: c.token })}`);
  return (await c.next(/^4[04]/)) === null ? 'dropped' : 'answered';
}
