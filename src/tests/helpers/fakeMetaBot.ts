/**
 * A fake Meta Bot: a real HTTP server on 127.0.0.1 answering POST /chat/manual-facebook and
 * /chat/manual-instagram as the contract (messaging.md §4.1) describes. The mode can change at
 * runtime, and a script of steps overrides it for the next requests. Every request is recorded.
 *
 * It behaves like a receiver that honours the idempotency key: the first request with a key that
 * it accepts is "delivered" to the customer (recorded in `deliveries`), and later requests with
 * the same key get the same answer without a second delivery. A test that groups `deliveries` by
 * message therefore sees two entries only if the backend used a new key for the same message.
 * `hang` delivers and then never answers: the response is lost, as when the bot sent the message
 * but the reply never reached the backend.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMode = 'ok' | 'error500' | 'rateLimited' | 'hang' | 'badRequest' | 'down';
/** What one request is answered with (a listener that is down answers nothing). */
export type FakeStep = Exclude<FakeMode, 'down'>;

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The Idempotency-Key header (or, without it, the body's idempotency_key). */
  key: string | undefined;
  step: FakeStep;
}

export interface FakeDelivery {
  key: string;
  body: Record<string, unknown>;
  messageId: string;
}

export interface FakeMetaBot {
  /** Base URL; it stays the same when the fake goes down and comes back. */
  readonly url: string;
  readonly requests: FakeRequest[];
  /** Messages the bot sent to the customer: at most one per idempotency key. */
  readonly deliveries: FakeDelivery[];
  /** Requests that are being held open by `hang`. */
  hanging(): number;
  mode(): FakeMode;
  /** `down` closes the listener and every connection (connection refused); any other mode listens again. */
  setMode(mode: FakeMode): Promise<void>;
  /** The next requests are answered with these steps, in order; then the mode applies again. */
  script(steps: FakeStep[]): void;
  requestsWithKey(key: string): FakeRequest[];
  /** Back to `ok`, listening, nothing recorded. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const MISSING_FIELDS = 'Missing required fields: content, access_token, or customer_social_id';
export const GRAPH_ERROR_DETAILS = '(#100) The parameter recipient is required';

function platformName(path: string): string {
  return path.endsWith('instagram') ? 'Instagram' : 'Facebook';
}

export async function startFakeMetaBot(options: { latencyMs?: number } = {}): Promise<FakeMetaBot> {
  const requests: FakeRequest[] = [];
  const deliveries: FakeDelivery[] = [];
  const answers = new Map<string, Record<string, unknown>>();
  const held = new Set<ServerResponse>();
  let queue: FakeStep[] = [];
  let current: FakeMode = 'ok';
  let sent = 0;
  let port = 0;
  let server: Server | null = null;

  /** Sends the message once per key and returns the bot's success body for it. */
  const deliver = (key: string | undefined, body: Record<string, unknown>): Record<string, unknown> => {
    const known = key ? answers.get(key) : undefined;
    if (known) return known;
    sent++;
    const messageId = `mid.${sent}`;
    const answer = { success: true, message: 'MESSAGE_SENT', result: { recipient_id: body.customer_social_id, message_id: messageId } };
    if (key) answers.set(key, answer);
    deliveries.push({ key: key ?? '', body, messageId });
    return answer;
  };

  const respond = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (options.latencyMs) setTimeout(send, options.latencyMs);
    else send();
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((req, res) => {
        let raw = '';
        req.on('data', (c: Buffer) => (raw += c.toString()));
        req.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
          } catch {
            body = { unparsable: raw };
          }
          const path = (req.url ?? '').split('?')[0]!;
          const header = req.headers['idempotency-key'];
          const key = typeof header === 'string' ? header : typeof body.idempotency_key === 'string' ? body.idempotency_key : undefined;
          const step: FakeStep = queue.shift() ?? (current === 'down' ? 'ok' : current);
          requests.push({ method: req.method ?? '', path, headers: req.headers, body, key, step });
          if (req.method !== 'POST' || !/^\/chat\/manual-(facebook|instagram)$/.test(path)) {
            respond(res, 404, { success: false, error: 'Not found' });
            return;
          }
          switch (step) {
            case 'ok':
              respond(res, 200, deliver(key, body));
              return;
            case 'hang':
              deliver(key, body);
              held.add(res);
              res.on('close', () => held.delete(res));
              return;
            case 'error500':
              respond(res, 500, {
                success: false,
                error: `Error in manual ${platformName(path)} message send`,
                details: GRAPH_ERROR_DETAILS,
              });
              return;
            case 'rateLimited':
              respond(res, 429, { success: false, error: 'Too many requests' }, { 'Retry-After': '0' });
              return;
            case 'badRequest':
              respond(res, 400, { success: false, error: MISSING_FIELDS });
              return;
          }
        });
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', reject);
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const shut = async (): Promise<void> => {
    const s = server;
    if (!s) return;
    server = null;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    held.clear();
    await closed;
  };

  await listen();

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    deliveries,
    hanging: () => held.size,
    mode: () => current,
    async setMode(mode) {
      current = mode;
      if (mode === 'down') await shut();
      else if (!server) await listen();
    },
    script(steps) {
      queue = [...steps];
    },
    requestsWithKey: (key) => requests.filter((r) => r.key === key),
    async reset() {
      await shut();
      requests.length = 0;
      deliveries.length = 0;
      answers.clear();
      queue = [];
      sent = 0;
      current = 'ok';
      await listen();
    },
    close: shut,
  };
}
