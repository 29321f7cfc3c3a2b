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
}

export interface EmbeddedMongo {
  uri: string;
  port: number;
  host: string;
  stop(): Promise<void>;
}

const SESSION_IDLE_MS = 30 * 60 * 1000;

let nextRequestId = 1;

class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly state: ServerState,
    private readonly id: number,
  ) {
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

  private me(): string {
    const addr = this.socket.localAddress ?? this.state.host;
    const host = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
    return `${host.includes(':') ? `[${host}]` : host}:${this.state.port}`;
  }

  private async handle(message: Buffer): Promise<void> {
    if (this.closed) return;
    const header = readHeader(message);
    const conn = { me: this.me(), connectionId: this.id };
    try {
      if (header.opCode === OP_MSG) {
        let body: Doc;
        let moreToCome = false;
        try {
          ({ body, moreToCome } = parseOpMsg(message));
        } catch (err) {
          this.reply(header, encodeOpMsg, protocolError(err));
          return;
        }
        const reply = await runCommand(this.state, body, conn);
        if (!moreToCome) this.reply(header, encodeOpMsg, reply);
      } else if (header.opCode === OP_QUERY) {
        let query: Doc;
        let collection: string;
        try {
          ({ query, collection } = parseOpQuery(message));
        } catch (err) {
          this.reply(header, encodeOpReply, protocolError(err));
          return;
        }
        if (!collection.endsWith('.$cmd')) {
          this.reply(header, encodeOpReply, new MongoCommandError(5739101, 'OP_QUERY is no longer supported').toReply());
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

  private reply(header: { requestId: number }, encode: (id: number, to: number, d: Doc) => Buffer, doc: Doc): void {
    if (this.closed) return;
    let out: Buffer;
    try {
      out = encode(nextRequestId++, header.requestId, doc);
    } catch (err) {
      out = encode(
        nextRequestId++,
        header.requestId,
        new MongoCommandError('BSONObjectTooLarge', `reply could not be encoded: ${(err as Error).message}`).toReply(),
      );
    }
    this.socket.write(out);
  }
}

function protocolError(err: unknown): Doc {
  if (!(err instanceof ProtocolError)) return toCommandError(err).toReply();
  return new MongoCommandError('BadValue', `invalid message: ${err.message}`).toReply();
}

export async function startEmbeddedMongo(opts: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = opts.host ?? '127.0.0.1';
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
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    state.connections.current++;
    state.connections.totalCreated++;
    socket.on('close', () => {
      sockets.delete(socket);
      state.connections.current--;
    });
    new Connection(socket, state, state.connections.totalCreated);
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
    uri: `mongodb://${host.includes(':') ? `[${host}]` : host}:${state.port}/`,
    port: state.port,
    host,
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
