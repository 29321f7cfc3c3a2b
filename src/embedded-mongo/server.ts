/**
 * The TCP server: frames messages, runs commands one at a time per connection and answers.
 * A malformed, oversized or unknown message closes only its own connection.
 */
import * as net from 'node:net';
import { runCommand } from './commands';
import type { ServerState } from './commands/context';
import { CursorManager } from './cursors';
import { MongoCommandError, toCommandError } from './errors';
import { Engine } from './storage/engine';
import { SessionRegistry } from './txn';
import type { Doc } from './values';
import {
  HEADER_BYTES,
  MAX_MESSAGE_BYTES,
  OP_MSG,
  OP_QUERY,
  ProtocolError,
  type OpMsg,
  type Reply,
  encodeOpMsg,
  encodeOpReply,
  parseOpMsg,
  parseOpQuery,
  readHeader,
} from './wire';

export interface EmbeddedMongoOptions {
  port?: number;
  host?: string;
  /** Keep data on disk here; without it the server is in memory. */
  dbPath?: string;
  /** How often the TTL monitor deletes expired documents (MongoDB: 60 s). */
  ttlMonitorIntervalMs?: number;
  /** fdatasync every journal group (default true). */
  journalSync?: boolean;
  /** Journal size that triggers a snapshot (default 64 MB). */
  compactBytes?: number;
  /** Maximum transaction lifetime (MongoDB: 60 s). */
  transactionLifetimeMs?: number;
  /**
   * `host[:port]` that hello names as this member (me, hosts, primary) to every client, for
   * clients that reach the server through port mapping or NAT. Without it: the host name the
   * server listens on, or else the local address each client connected to.
   */
  advertiseHost?: string;
}

export interface EmbeddedMongo {
  uri: string;
  port: number;
  host: string;
  /** The address hello names to every client, when it is one address (not per connection). */
  advertised?: string;
  stop(): Promise<void>;
}

const SESSION_IDLE_MS = 30 * 60 * 1000;

let nextRequestId = 1;

class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  /** What hello tells this client about the server, fixed for the connection. */
  private readonly conn: { me: string; connectionId: number };

  constructor(
    private readonly socket: net.Socket,
    private readonly state: ServerState,
    id: number,
    me: string,
  ) {
    this.conn = { me, connectionId: id };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => {
      this.closed = true;
    });
  }

  private close(): void {
    this.closed = true;
    this.chunks = [];
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      if (this.chunks.length > 1 && this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks)];
      const length = this.chunks[0]!.readInt32LE(0);
      if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) {
        this.close();
        return;
      }
      if (this.buffered < length) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const message = all.subarray(0, length);
      const rest = all.subarray(length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.queue = this.queue.then(() => this.handle(message));
    }
  }

  private async handle(message: Buffer): Promise<void> {
    if (this.closed) return;
    const header = readHeader(message);
    const conn = this.conn;
    try {
      if (header.opCode === OP_MSG) {
        let msg: OpMsg;
        try {
          msg = parseOpMsg(message);
        } catch (err) {
          this.reply(header, encodeOpMsg, { doc: protocolError(err) });
          return;
        }
        const reply = await runCommand(this.state, msg.body, conn, msg.clusterTime);
        if (!msg.moreToCome) this.reply(header, encodeOpMsg, reply);
      } else if (header.opCode === OP_QUERY) {
        let query: Doc;
        let collection: string;
        try {
          ({ query, collection } = parseOpQuery(message));
        } catch (err) {
          this.reply(header, encodeOpReply, { doc: protocolError(err) });
          return;
        }
        if (!collection.endsWith('.$cmd')) {
          this.reply(header, encodeOpReply, { doc: new MongoCommandError(5739101, 'OP_QUERY is no longer supported').toReply() });
          return;
        }
        const db = collection.slice(0, -'.$cmd'.length);
        const reply = await runCommand(this.state, { ...query, $db: db }, conn);
        this.reply(header, encodeOpReply, reply);
      } else {
        // OP_COMPRESSED is never negotiated; anything else is not MongoDB's protocol.
        this.close();
      }
    } catch {
      this.close();
    }
  }

  private reply(header: { requestId: number }, encode: (id: number, to: number, r: Reply) => Buffer, reply: Reply): void {
    if (this.closed) return;
    let out: Buffer;
    try {
      out = encode(nextRequestId++, header.requestId, reply);
    } catch (err) {
      out = encode(nextRequestId++, header.requestId, {
        doc: new MongoCommandError('BSONObjectTooLarge', `reply could not be encoded: ${(err as Error).message}`).toReply(),
        trailer: reply.trailer,
      });
    }
    this.socket.write(out);
  }
}

/** host:port as MongoDB writes it, IPv6 literals in brackets. */
function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The local address a client reached: what hello names when nothing else says better. */
function localAddressOf(socket: net.Socket, state: ServerState): string {
  const addr = socket.localAddress ?? state.host;
  return hostPort(addr.startsWith('::ffff:') ? addr.slice(7) : addr, state.port);
}

const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$/;

/** Parses `host[:port]` (an IPv6 literal in brackets when a port follows); the port is optional. */
function parseAdvertiseHost(value: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(value);
  let host = value;
  let portText: string | undefined;
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (!net.isIPv6(value) && value.includes(':')) {
    host = value.slice(0, value.lastIndexOf(':'));
    portText = value.slice(value.lastIndexOf(':') + 1);
  }
  const port = portText === undefined ? undefined : Number(portText);
  const hostOk = bracketed ? net.isIPv6(host) : net.isIP(host) !== 0 || HOST_NAME.test(host);
  const portOk = port === undefined || (/^\d{1,5}$/.test(portText!) && port >= 1 && port <= 65535);
  if (!hostOk || !portOk) throw new Error(`invalid advertise host '${value}': expected host[:port]`);
  return port === undefined ? { host } : { host, port };
}

function protocolError(err: unknown): Doc {
  if (!(err instanceof ProtocolError)) return toCommandError(err).toReply();
  return new MongoCommandError('BadValue', `invalid message: ${err.message}`).toReply();
}

export async function startEmbeddedMongo(opts: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = opts.host ?? '127.0.0.1';
  const advertise = opts.advertiseHost === undefined ? undefined : parseAdvertiseHost(opts.advertiseHost);
  const engine = await Engine.open({
    ...(opts.dbPath ? { dbPath: opts.dbPath } : {}),
    sync: opts.journalSync ?? true,
    ...(opts.compactBytes ? { compactBytes: opts.compactBytes } : {}),
  });
  const state: ServerState = {
    engine,
    cursors: new CursorManager(),
    sessions: new SessionRegistry(),
    host,
    port: 0,
    startedAt: Date.now(),
    connections: { current: 0, totalCreated: 0 },
    transactionLifetimeMs: opts.transactionLifetimeMs ?? 60_000,
  };
  // The wire protocol carries no host name, so hello names what the server can know: the address
  // it was told to advertise, or the host name it listens on (one interface, so every client
  // reached that name), or else per connection the local address the client reached.
  let advertised: string | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    state.connections.current++;
    state.connections.totalCreated++;
    socket.on('close', () => {
      sockets.delete(socket);
      state.connections.current--;
    });
    new Connection(socket, state, state.connections.totalCreated, advertised ?? localAddressOf(socket, state));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  state.port = (server.address() as net.AddressInfo).port;
  if (advertise) advertised = hostPort(advertise.host, advertise.port ?? state.port);
  else if (net.isIP(host) === 0) advertised = hostPort(host, state.port);
  engine.startTtlMonitor(opts.ttlMonitorIntervalMs ?? 60_000);
  const housekeeping = setInterval(() => {
    const now = Date.now();
    state.cursors.reap(now);
    for (const s of state.sessions.all()) {
      if (s.txn?.state === 'active' && now - s.txn.startedAt > state.transactionLifetimeMs) engine.txns.end(s.txn, 'aborted');
      if (now - s.lastUse > SESSION_IDLE_MS) state.sessions.end(s.key);
    }
  }, 1000);
  housekeeping.unref();

  let stopping: Promise<void> | null = null;
  return {
    uri: `mongodb://${hostPort(host, state.port)}/`,
    port: state.port,
    host,
    ...(advertised ? { advertised } : {}),
    stop: () => {
      stopping ??= (async () => {
        clearInterval(housekeeping);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
        for (const t of [...engine.txns.active]) engine.txns.end(t, 'aborted');
        await engine.close();
      })();
      return stopping;
    },
  };
}
