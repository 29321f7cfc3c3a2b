/**
 * Command dispatch: finds the handler, attaches the session and transaction the command names,
 * replays retried writes, and turns every failure into MongoDB's error reply.
 */
import type { Long, Timestamp } from 'bson';
import { isTimestamp, parseReadConcern, readTimeOf, startTxnReadConcern, withReadTime } from '../clock';
import { MongoCommandError, toCommandError } from '../errors';
import { noSuchTransaction, sessionKey, type Session } from '../txn';
import { commitTransaction } from '../writes';
import { isPlainObject, longToBigInt, toNumber, type Doc } from '../values';
import type { Reply } from '../wire';
import { adminCommands } from './admin';
import type { CommandContext, Handler, ServerState } from './context';
import { ddlCommands } from './ddl';
import { checkCommandFields } from './fields';
import { readCommands } from './read';
import { writeCommands } from './write';
import { parseWriteConcern, withWriteConcernError } from './writeConcern';

const HANDLERS: Record<string, Handler> = {
  ...adminCommands,
  ...ddlCommands,
  ...readCommands,
  ...writeCommands,
};

const RETRYABLE = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);
/** Commands that may not run inside a multi-document transaction. */
const NOT_IN_TXN = new Set([
  'count',
  'listCollections',
  'listIndexes',
  'drop',
  'dropDatabase',
  'dropIndexes',
  'renameCollection',
  'explain',
]);

function txnNumberOf(cmd: Doc): bigint | undefined {
  const v = cmd.txnNumber;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && (v as Long)._bsontype === 'Long') return longToBigInt(v as Long);
  return BigInt(Math.trunc(toNumber(v)));
}

async function endTxn(ctx: CommandContext, session: Session, txnNumber: bigint, commit: boolean): Promise<Doc> {
  const txn = session.txn;
  const engine = ctx.state.engine;
  if (!txn || txn.txnNumber !== txnNumber) throw noSuchTransaction(txnNumber);
  if (commit) {
    if (txn.state === 'committed') return { ok: 1 };
    if (txn.state === 'aborted') throw noSuchTransaction(txnNumber);
    await commitTransaction(engine, txn);
    return { ok: 1 };
  }
  if (txn.state === 'committed') {
    throw new MongoCommandError('TransactionCommitted', `Transaction with { txnNumber: ${txnNumber} } has been committed.`);
  }
  if (txn.state === 'active') engine.txns.end(txn, 'aborted');
  return { ok: 1 };
}

/** Attaches the transaction a command belongs to (starting it when asked). */
function joinTransaction(ctx: CommandContext, name: string, cmd: Doc, session: Session, txnNumber: bigint): void {
  const engine = ctx.state.engine;
  if (cmd.startTransaction === true) {
    if (txnNumber < session.txnNumber || (txnNumber === session.txnNumber && session.txn)) {
      throw new MongoCommandError(
        'TransactionTooOld',
        `Cannot start transaction ${txnNumber} on session because a newer transaction ${session.txnNumber} has already started`,
      );
    }
    if (session.txn?.state === 'active') engine.txns.end(session.txn, 'aborted');
    session.txnNumber = txnNumber;
    session.txn = engine.txns.begin(txnNumber);
  }
  const txn = session.txn;
  if (!txn || txn.txnNumber !== txnNumber || txn.state !== 'active') {
    if (name === 'commitTransaction' || name === 'abortTransaction') return;
    throw noSuchTransaction(txnNumber, txn?.state === 'committed' ? 'has been committed' : 'has been aborted');
  }
  if (NOT_IN_TXN.has(name)) {
    throw new MongoCommandError('OperationNotSupportedInTransaction', `Cannot run '${name}' in a multi-document transaction.`);
  }
  if (Date.now() - txn.startedAt > ctx.state.transactionLifetimeMs) {
    engine.txns.end(txn, 'aborted');
    throw noSuchTransaction(txnNumber, 'has been aborted because it exceeded the transaction lifetime');
  }
  ctx.txn = txn;
}

/** The time in a `$clusterTime` the client sent as a field of the command. */
function clusterTimeIn(gossiped: unknown): Timestamp | undefined {
  return isPlainObject(gossiped) && isTimestamp(gossiped.clusterTime) ? gossiped.clusterTime : undefined;
}

/**
 * Runs a command as a replica-set member does: takes the cluster time the client gossips, and
 * stamps every reply, error or not, with $clusterTime and operationTime (as of the command's end).
 * `clusterTime` is the gossiped time when the wire layer has already read it (see parseOpMsg).
 */
export async function runCommand(
  state: ServerState,
  body: Doc,
  conn: { me: string; connectionId: number },
  clusterTime: Timestamp | undefined = clusterTimeIn(body.$clusterTime),
): Promise<Reply> {
  const clock = state.engine.time;
  if (clusterTime) {
    try {
      clock.advance(clusterTime);
    } catch (err) {
      return { doc: toCommandError(err).toReply(), trailer: clock.stampElements() };
    }
  }
  const doc = await dispatch(state, body, conn);
  // The stamp is appended as encoded fields: the reply must not name them itself.
  if (doc.$clusterTime !== undefined || doc.operationTime !== undefined) {
    delete doc.$clusterTime;
    delete doc.operationTime;
  }
  return { doc, trailer: clock.stampElements() };
}

async function dispatch(state: ServerState, body: Doc, conn: { me: string; connectionId: number }): Promise<Doc> {
  const name = Object.keys(body)[0];
  const db = typeof body.$db === 'string' ? body.$db : 'admin';
  const ctx: CommandContext = { state, db, me: conn.me, connectionId: conn.connectionId };
  if (!name) return new MongoCommandError('CommandNotFound', 'no command given').toReply();
  const key = sessionKey(body.lsid);
  const session = key ? state.sessions.get(key) : undefined;
  ctx.session = session;
  const txnNumber = txnNumberOf(body);
  const inTxn = body.autocommit === false && session !== undefined && txnNumber !== undefined;
  try {
    // As mongod parses a command before anything runs: unknown fields, then the write concern.
    checkCommandFields(name, body);
    const writeConcernError = parseWriteConcern(name, body);
    const readConcern = parseReadConcern(body);
    if (inTxn) {
      joinTransaction(ctx, name, body, session, txnNumber);
      if (readConcern && ctx.txn) {
        if (body.startTransaction !== true) {
          throw new MongoCommandError('InvalidOptions', 'Only the first command in a transaction may specify a readConcern');
        }
        startTxnReadConcern(state.engine, ctx.txn, readConcern);
      }
      if (name === 'commitTransaction' || name === 'abortTransaction') {
        return withWriteConcernError(await endTxn(ctx, session, txnNumber, name === 'commitTransaction'), writeConcernError);
      }
      // A write to a collection that does not exist creates it for this transaction only.
      const target = body[name];
      if (ctx.txn && RETRYABLE.has(name) && typeof target === 'string') state.engine.createInTxn(ctx.txn, db, target, {}, false);
    } else if (session && txnNumber !== undefined && RETRYABLE.has(name)) {
      // A retryable write: the driver resends the same txnNumber after a network error.
      if (session.retryReply?.txnNumber === txnNumber) return session.retryReply.reply;
      if (txnNumber < session.txnNumber) {
        throw new MongoCommandError(
          'TransactionTooOld',
          `Retryable write with txnNumber ${txnNumber} is prohibited on session because a newer retryable write with txnNumber ${session.txnNumber} has already started`,
        );
      }
      if (session.txn?.state === 'active') state.engine.txns.end(session.txn, 'aborted');
      session.txnNumber = txnNumber;
    } else if (name === 'commitTransaction' || name === 'abortTransaction') {
      throw new MongoCommandError('InvalidOptions', `${name} must be run within a transaction`);
    }
    const handler = HANDLERS[name];
    if (!handler) {
      throw new MongoCommandError('CommandNotFound', `no such command: '${name}'`);
    }
    if (readConcern && !inTxn) ctx.readAt = readTimeOf(state.engine, name, body, readConcern);
    const reply = withWriteConcernError(await handler(body, ctx), writeConcernError);
    if (ctx.readAt) withReadTime(reply, ctx.readAt);
    if (ctx.txn && Array.isArray(reply.writeErrors) && reply.writeErrors.length > 0) {
      state.engine.txns.end(ctx.txn, 'aborted');
    }
    if (!inTxn && session && txnNumber !== undefined && RETRYABLE.has(name)) {
      session.retryReply = { txnNumber, reply };
    }
    return reply;
  } catch (err) {
    const error = toCommandError(err);
    if (ctx.txn && ctx.txn.state === 'active') state.engine.txns.end(ctx.txn, 'aborted');
    return error.toReply();
  }
}
