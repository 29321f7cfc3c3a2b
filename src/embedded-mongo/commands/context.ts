/** What a command handler gets: the server's state, the database, and the session/transaction. */
import type { Time } from '../clock';
import { MongoCommandError } from '../errors';
import type { CursorManager } from '../cursors';
import { committedSource, type DocSource } from '../query/executor';
import type { Collection } from '../storage/collection';
import type { Engine } from '../storage/engine';
import type { Session, SessionRegistry, Txn } from '../txn';
import type { Doc } from '../values';

export interface ServerState {
  engine: Engine;
  cursors: CursorManager;
  sessions: SessionRegistry;
  host: string;
  port: number;
  startedAt: number;
  connections: { current: number; totalCreated: number };
  transactionLifetimeMs: number;
}

export interface CommandContext {
  state: ServerState;
  db: string;
  session?: Session | undefined;
  txn?: Txn | undefined;
  /** A snapshot read outside transactions (readConcern "snapshot"): the cluster time it reads at. */
  readAt?: Time | undefined;
  /** The address the client connected to (host:port), for the replica-set hello. */
  me: string;
  connectionId: number;
}

export type Handler = (cmd: Doc, ctx: CommandContext) => Doc | Promise<Doc>;

/** The documents a command sees: its transaction's snapshot, or the committed data. */
export function sourceOf(ctx: CommandContext, coll: Collection | undefined): DocSource {
  return ctx.txn ? ctx.txn.source(coll) : committedSource(coll);
}

/** Reads a command's collection-name argument. */
export function collName(cmd: Doc, field: string): string {
  const v = cmd[field];
  if (typeof v !== 'string' || v.length === 0) {
    throw new MongoCommandError('InvalidNamespace', `collection name has invalid type ${typeof v}`);
  }
  return v;
}
