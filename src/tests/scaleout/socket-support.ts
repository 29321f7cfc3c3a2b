/**
 * Shared by the Socket.io scale-out suites: PetBuddy processes (./httpSupport's startApp) with
 * secrets this side knows, so it can sign tokens; a TCP relay standing for the load balancer in
 * front of them (a dropped network, then a reconnection that lands on another process); and the
 * few requests the suites make.
 */
import { createServer, connect, type Socket as NetSocket } from 'node:net';
import jwt from 'jsonwebtoken';
import type { Types } from 'mongoose';
import { io } from 'socket.io-client';
import request from 'supertest';
import type { Config } from '../../config/env';
import { accessTokenFor, bearer, createCompany, createStaff } from '../factories/accounts';
import { createContact } from '../factories/inbox';
import { testConfig } from '../helpers/config';
import { within } from '../helpers/process';
import type { ClientSocket } from '../socket/support';
import { startApp, tempDir } from './httpSupport';

export const SOCKET_SECRETS = {
  JWT_ACCESS_SECRET: 'scaleout-socket-access-secret-0123456789abcdef',
  JWT_REFRESH_SECRET: 'scaleout-socket-refresh-secret-0123456789abcdef',
  INTERNAL_SERVICE_API_KEY: 'scaleout-socket-internal-api-key-0123456789a',
  DATA_ENCRYPTION_KEY: 'scaleout-socket-data-encryption-key-012345678',
};

/** The configuration the processes run with, for signing tokens on this side. */
export const socketConfig: Config = testConfig(SOCKET_SECRETS);

export interface App {
  url: string;
  stop(): Promise<void>;
}

/** A PetBuddy process on database `dbName` and Redis `redisUrl` (keys under `keyPrefix`). */
export async function startSocketApp(opts: {
  dbName: string;
  redisUrl: string;
  keyPrefix: string;
  env?: Record<string, string>;
}): Promise<App> {
  const { child, url } = await startApp({
    dbName: opts.dbName,
    dataDir: tempDir('socket'),
    redisUrl: opts.redisUrl,
    keyPrefix: opts.keyPrefix,
    env: { ...SOCKET_SECRETS, MESSAGE_RATE_LIMIT_MAX: '10000', CONVERSATION_RATE_LIMIT_MAX: '10000', ...opts.env },
  });
  return {
    url,
    stop: async () => {
      if (child.proc.exitCode !== null) return;
      child.proc.kill('SIGTERM');
      await within(child.exited, 15_000, 'a PetBuddy process stopping').catch(() => child.proc.kill('SIGKILL'));
    },
  };
}

/** A company with a manager (and a token) and a contact to message. */
export async function inbox(config: Config = socketConfig) {
  const company = await createCompany();
  const manager = await createStaff(company.companyId, 'manager');
  const contact = await createContact(company.companyId);
  return { companyId: company.companyId, contactId: contact._id, token: accessTokenFor(config, manager.userId) };
}

/** An access token for `userId` issued `ageSeconds` ago, valid for ten minutes from now. */
export function tokenIssuedAgo(userId: Types.ObjectId, ageSeconds: number, config: Config = socketConfig): string {
  const iat = Math.floor(Date.now() / 1000) - ageSeconds;
  return jwt.sign({ userId: String(userId), iat }, config.jwt.accessSecret, { algorithm: 'HS256', expiresIn: ageSeconds + 600 });
}

/** An operator's message posted through the app at `url`: its id (message:new carries it). */
export async function postMessage(url: string, co: Awaited<ReturnType<typeof inbox>>, content: string): Promise<string> {
  const res = await request(url)
    .post('/api/v1/messages')
    .set(bearer(co.token))
    .send({
      company_id: String(co.companyId),
      contact_id: String(co.contactId),
      role: 'operator',
      platform: 'web',
      direction: 'outbound',
      content,
    });
  if (res.status !== 201) throw new Error(`POST /api/v1/messages answered ${res.status}: ${JSON.stringify(res.body)}`);
  return String((res.body as { messageData: { _id: string } }).messageData._id);
}

/**
 * A dashboard as a browser runs one: it reconnects by itself (quickly here) and, when it does,
 * asks to recover its session. Not connected yet: wait for `connect`.
 */
export function dashboard(url: string, token: string): ClientSocket {
  return io(url, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 400,
    randomizationFactor: 0,
  }) as ClientSocket;
}

/** Resolves on the socket's next `connect`, with whether the server recovered its session. */
export function nextConnect(s: ClientSocket, timeoutMs = 10_000): Promise<{ recovered: boolean }> {
  return within(
    new Promise((resolve, reject) => {
      s.once('connect', () => resolve({ recovered: s.recovered }));
      s.io.once('reconnect_failed', () => reject(new Error('gave up reconnecting')));
    }),
    timeoutMs,
    'the dashboard connecting',
  );
}

/** A TCP relay standing for the load balancer: it sends each new connection to the current target. */
export interface Relay {
  url: string;
  /** Where connections go from now on; `undefined` refuses them (the network is down). */
  setTarget(url: string | undefined): void;
  /** Ends every relayed connection at once, as a dropped network does. */
  cut(): void;
  /** The target of every connection relayed so far. */
  relayed: string[];
  close(): Promise<void>;
}

export async function startRelay(target: string | undefined): Promise<Relay> {
  let current = target ? new URL(target) : undefined;
  const open = new Set<NetSocket>();
  const relayed: string[] = [];
  const server = createServer((downstream) => {
    if (!current) {
      downstream.destroy();
      return;
    }
    relayed.push(current.origin);
    const upstream = connect(Number(current.port), current.hostname);
    for (const [a, b] of [
      [downstream, upstream],
      [upstream, downstream],
    ] as const) {
      open.add(a);
      a.on('error', () => undefined);
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the relay has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    setTarget: (url) => void (current = url ? new URL(url) : undefined),
    cut: () => {
      for (const s of open) s.destroy();
    },
    relayed,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
