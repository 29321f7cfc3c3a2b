/**
 * What the benchmarks run in their own process, on loopback: the HTTP client of the load
 * generators, a fake Meta Bot, and dashboard Socket.io clients.
 */
import * as http from 'node:http';
import { io as connectSocket, type Socket } from 'socket.io-client';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Reply {
  /** 0 when the request failed or timed out. */
  status: number;
  timedOut: boolean;
  /** Only when asked for (readBody). */
  body?: string;
  setCookie?: string[];
}

/**
 * POSTs a JSON body (GETs `target`, query included, when `payload` is undefined); never rejects.
 * With timeoutMs the request is abandoned after that long.
 */
export function requestJson(
  agent: http.Agent,
  target: URL,
  headers: Record<string, string>,
  payload: string | undefined,
  opts: { timeoutMs?: number; readBody?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve) => {
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (r: Reply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: payload === undefined ? 'GET' : 'POST',
        agent,
        headers:
          payload === undefined
            ? headers
            : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        if (opts.readBody) res.on('data', (c: Buffer) => chunks.push(c));
        else res.resume();
        res.on('end', () =>
          settle({
            status: res.statusCode ?? 0,
            timedOut: false,
            ...(opts.readBody ? { body: Buffer.concat(chunks).toString() } : {}),
            ...(res.headers['set-cookie'] ? { setCookie: res.headers['set-cookie'] } : {}),
          }),
        );
        res.on('error', () => undefined);
      },
    );
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new Error('timeout'));
      }, opts.timeoutMs);
    }
    req.on('error', () => settle({ status: 0, timedOut }));
    // A request destroyed while its answer was arriving may end without either event above.
    req.on('close', () => settle({ status: 0, timedOut }));
    req.end(payload);
  });
}

/** POSTs a JSON body; resolves with the status (0 when the request failed). */
export function postJson(agent: http.Agent, target: URL, headers: Record<string, string>, payload: string): Promise<number> {
  return requestJson(agent, target, headers, payload).then((r) => r.status);
}

/**
 * The fan-out parts' Meta Bot: POSTs `count` messages to /internal/messages at `rate` a second
 * (fire and forget), each carrying the time it was sent as `t:<ms>` in its content, so a
 * dashboard's `message:new` can be timed with `recordLatency`. Resolves once the last one is sent;
 * `onAnswered` gets how long each POST took to be answered.
 */
export async function postStampedMessages(opts: {
  agent: http.Agent;
  target: URL;
  apiKey: string;
  body: (seq: number) => Record<string, unknown>;
  rate: number;
  count: number;
  onAnswered?: (ms: number) => void;
}): Promise<void> {
  for (let i = 0; i < opts.count; i++) {
    const tick = Date.now();
    const payload = JSON.stringify({ ...opts.body(i), content: `t:${tick}` });
    const sent = postJson(opts.agent, opts.target, { 'x-api-key': opts.apiKey }, payload);
    if (opts.onAnswered) void sent.then(() => opts.onAnswered!(Date.now() - tick));
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 / opts.rate - (Date.now() - tick))));
  }
}

/** A `message:new` handler that pushes into `into` how long ago its `postStampedMessages` message was sent. */
export function recordLatency(into: number[]): (event: unknown) => void {
  return (event) => {
    const sentAt = Number((event as { message: { content: string } }).message.content.split(':')[1]);
    if (Number.isFinite(sentAt)) into.push(Date.now() - sentAt);
  };
}

/** A Meta Bot stand-in: answers like the real one, or holds every request open (hang). */
export function fakeMetaBot(): Promise<{ url: string; setMode: (m: 'ok' | 'hang') => void; close: () => void; sent: () => number }> {
  let mode: 'ok' | 'hang' = 'ok';
  let sent = 0;
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (mode === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      sent++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, message: 'MESSAGE_SENT', result: { recipient_id: 'r', message_id: `mid.${sent}` } }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        setMode: (m) => {
          mode = m;
        },
        sent: () => sent,
        close: () => {
          for (const r of hanging) r.destroy();
          server.close();
        },
      });
    }),
  );
}

/**
 * Connects `count` dashboard clients (websocket, no reconnection), 50 at a time, each with
 * `tokenFor(i)` as auth.token and `onMessageNew` on `message:new`; waits (at most 30 s) until
 * they are connected. Returns all of them, connected or not.
 */
export async function connectDashboards(
  url: string,
  count: number,
  tokenFor: (i: number) => string,
  onMessageNew: (e: unknown) => void,
): Promise<Socket[]> {
  const clients: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const s = connectSocket(url, { auth: { token: tokenFor(i) }, transports: ['websocket'], reconnection: false, forceNew: true });
    s.on('message:new', onMessageNew);
    clients.push(s);
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 50));
  }
  const deadline = Date.now() + 30_000;
  while (clients.some((c) => !c.connected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return clients;
}
