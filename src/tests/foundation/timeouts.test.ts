/**
 * HTTP server timeouts of the real server (startServer from server.ts, small timeouts): a client
 * that declares a body and stops sending it, or never finishes its headers, gets 408 and is
 * disconnected promptly; normal requests and Socket.io (long-polling and WebSocket) keep working.
 */
import * as net from 'node:net';
import mongoose from 'mongoose';
import { io, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../../../server';
import { accessTokenFor, createCompany, createStaff, newObjectId } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { testServerUri, uniqueDbName, uriWithDb } from '../helpers/mongo';
import { within } from '../helpers/process';
import { waitUntil } from '../socket/support';

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 1500;
/** Generous: the timeout, plus Node's check interval, plus a slow CI machine. */
const BOUND_MS = 8000;

let server: RunningServer;
let host: string;
let port: number;

beforeAll(async () => {
  server = await startServer({
    config: testConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: uriWithDb(testServerUri(), uniqueDbName('timeouts')),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    }),
  });
  const url = new URL(server.url);
  host = url.hostname;
  port = Number(url.port);
}, 30_000);

afterAll(async () => {
  await mongoose.connection.dropDatabase();
  await server.shutdown('test over');
});

interface RawExchange {
  /** Everything the server sent until it closed the connection. */
  received: string;
  elapsedMs: number;
}

/**
 * Opens a raw TCP connection, lets `talk` write to it, and resolves once the server closes it
 * (fails if it has not within BOUND_MS).
 */
function rawExchange(talk: (socket: net.Socket) => void): Promise<RawExchange> {
  const socket = net.connect(port, host);
  const started = Date.now();
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const closed = new Promise<RawExchange>((resolve) => {
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ received, elapsedMs: Date.now() - started }));
  });
  socket.once('connect', () => talk(socket));
  return within(closed, BOUND_MS, 'server closing the connection').finally(() => socket.destroy());
}

test('when a client declares a 100-byte body and sends 9 bytes, then it gets 408 and the connection is closed', async () => {
  const { received, elapsedMs } = await rawExchange((socket) => {
    socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\n' +
        `Host: ${host}:${port}\r\n` +
        'Content-Type: application/json\r\n' +
        'Content-Length: 100\r\n' +
        '\r\n' +
        '{"email":',
    );
  });
  expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  // It waited for the body (the request timeout), not less.
  expect(elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
});

test('when a client trickles header lines and never ends the header block, then it gets 408 and the connection is closed', async () => {
  let trickle: NodeJS.Timeout | undefined;
  try {
    const { received, elapsedMs } = await rawExchange((socket) => {
      socket.write(`GET /health HTTP/1.1\r\nHost: ${host}:${port}\r\n`);
      let n = 0;
      trickle = setInterval(() => socket.writable && socket.write(`X-Slow-${n++}: still coming\r\n`), 100);
    });
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(elapsedMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
  } finally {
    clearInterval(trickle);
  }
});

test('when a request arrives in full on the same server, then it is answered normally, twice on one keep-alive connection', async () => {
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  const { received } = await rawExchange((socket) => {
    const req = `GET /health HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`;
    socket.write(req);
    setTimeout(() => socket.write(req.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')), 200);
  });
  expect(received.match(/HTTP\/1\.1 200 OK\r\n/g)).toHaveLength(2);
});

describe('Socket.io on the same server', () => {
  const clients: Socket[] = [];
  // Until the server has seen them go: a polling connection the server closes itself waits 30 s
  // for the client's next poll (engine.io's close timeout) and would keep jest from exiting.
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await waitUntil(() => server.io.engine.clientsCount === 0, 'the server to drop the closed clients');
  });

  async function connectedClient(transport: 'polling' | 'websocket', token: string): Promise<Socket> {
    const s = io(server.url, { auth: { token }, transports: [transport], upgrade: false, reconnection: false, forceNew: true });
    clients.push(s);
    await within(
      new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('connect_error', reject);
      }),
      5000,
      `${transport} connect`,
    );
    return s;
  }

  test('when long-polling and WebSocket clients stay connected past the request timeout, then they stay connected and get acks', async () => {
    const company = await createCompany();
    const user = await createStaff(company.companyId, 'manager');
    const token = accessTokenFor(server.config, user.userId);
    const polling = await connectedClient('polling', token);
    const websocket = await connectedClient('websocket', token);
    const dropped: string[] = [];
    for (const s of [polling, websocket]) s.on('disconnect', (reason) => dropped.push(reason));

    // A long-poll GET is held open by the server; neither it nor the upgraded connection is a slow request.
    await new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS * 2));

    for (const s of [polling, websocket]) {
      const ack = (await s.timeout(3000).emitWithAck('conversation:leave', { conversationId: newObjectId() })) as unknown;
      expect(ack).toEqual({ ok: true });
    }
    expect(polling.io.engine.transport.name).toBe('polling');
    expect(websocket.io.engine.transport.name).toBe('websocket');
    expect(dropped).toEqual([]);
  }, 20_000);
});
